package io.uploads.db;

import io.uploads.core.UploadSession;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Rows of {@code upload_session} with a few more columns of the same result set. The constructor
 * mapper is specialized to the result set once, when JDBI specializes this mapper: matching
 * columns to the record's constructor takes reflection, which done for every row made a page of 50
 * rows cost tens of milliseconds.
 */
final class SessionRows {

    /** What a row makes of its session and the result set positioned on it. */
    interface Extra<T> {
        T map(UploadSession session, ResultSet row) throws SQLException;
    }

    private SessionRows() {}

    static <T> RowMapper<T> with(Extra<T> extra) {
        RowMapper<UploadSession> sessions = ConstructorMapper.of(UploadSession.class);
        return new RowMapper<>() {
            @Override
            public T map(ResultSet rs, StatementContext ctx) throws SQLException {
                return specialize(rs, ctx).map(rs, ctx);
            }

            @Override
            public RowMapper<T> specialize(ResultSet rs, StatementContext ctx) throws SQLException {
                RowMapper<UploadSession> session = sessions.specialize(rs, ctx);
                return (r, c) -> extra.map(session.map(r, c), r);
            }
        };
    }
}
