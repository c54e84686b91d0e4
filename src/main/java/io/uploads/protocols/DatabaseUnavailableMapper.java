package io.uploads.protocols;

import io.uploads.api.ApiError;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A database that cannot be reached is a temporary condition the client should retry (503); any
 * other database error is ours (500). Either way nothing was recorded.
 */
@Provider
public final class DatabaseUnavailableMapper implements ExceptionMapper<JdbiException> {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseUnavailableMapper.class);

    @Override
    public Response toResponse(JdbiException e) {
        boolean unavailable = isUnavailable(e);
        int status = unavailable ? 503 : 500;
        LOG.error("Database error answered with {}", status, e);
        String message = unavailable ? "the database is unavailable; retry later" : "internal database error";
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ApiError(status, message, unavailable ? "database_unavailable" : "database_error"))
                .build();
    }

    static boolean isUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectionException || t instanceof SQLTransientConnectionException) {
                return true;
            }
            // SQLState class 08: connection exception, in both H2 and PostgreSQL
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08")) {
                return true;
            }
        }
        return false;
    }
}
