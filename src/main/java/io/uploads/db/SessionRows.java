package io.uploads.db;

import io.uploads.core.UploadSession;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Rows of {@code upload_session} with a few more columns of the same result set. The session
 * mapper is specialized to the result set once, when JDBI specializes this mapper, not per row.
 */
final class SessionRows {

    /** What a row makes of its session and the result set positioned on it. */
    interface Extra<T> {
        T map(UploadSession session, ResultSet row) throws SQLException;
    }

    /** Matched once per column layout, whichever query and database it serves. */
    private static final RowMapper<UploadSession> SESSIONS = RecordMappers.of(UploadSession.class);

    private SessionRows() {}

    static <T> RowMapper<T> with(Extra<T> extra) {
        return RecordMappers.perResultSet((rs, ctx) -> {
            RowMapper<UploadSession> session = SESSIONS.specialize(rs, ctx);
            return (r, c) -> extra.map(session.map(r, c), r);
        });
    }
}
