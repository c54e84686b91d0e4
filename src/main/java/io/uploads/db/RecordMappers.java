package io.uploads.db;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Row mappers for records, by constructor, matched to a result set's columns once per column
 * layout. JDBI's constructor mapper matches columns to parameters by reflection for every query
 * it maps (parameter annotations, nullability, generic types): an eighth of the CPU time of a small
 * upload went there. The matched mapper keeps only column positions and column mappers, so it
 * serves every later result set with the same columns.
 */
final class RecordMappers {

    private RecordMappers() {}

    static <T> RowMapper<T> of(Class<T> type) {
        RowMapper<T> byReflection = ConstructorMapper.of(type);
        Map<List<String>, RowMapper<T>> byColumns = new ConcurrentHashMap<>();
        return perResultSet((rs, ctx) -> {
            List<String> columns = columns(rs.getMetaData());
            RowMapper<T> matched = byColumns.get(columns);
            if (matched == null) {
                matched = byReflection.specialize(rs, ctx);
                byColumns.putIfAbsent(columns, matched);
            }
            return matched;
        });
    }

    /** How a mapper is made for the columns of one result set. */
    interface Specializer<T> {
        RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException;
    }

    /** A row mapper made once per result set by {@code specializer} (JDBI asks before the first row). */
    static <T> RowMapper<T> perResultSet(Specializer<T> specializer) {
        return new RowMapper<>() {
            @Override
            public T map(ResultSet rs, StatementContext ctx) throws SQLException {
                return specialize(rs, ctx).map(rs, ctx);
            }

            @Override
            public RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
                return specializer.specialize(rs, ctx);
            }
        };
    }

    private static List<String> columns(ResultSetMetaData meta) throws SQLException {
        List<String> columns = new ArrayList<>(meta.getColumnCount());
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            columns.add(meta.getColumnLabel(i) + ':' + meta.getColumnType(i));
        }
        return columns;
    }
}
