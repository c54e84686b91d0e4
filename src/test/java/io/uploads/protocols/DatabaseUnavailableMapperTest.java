package io.uploads.protocols;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.api.ApiError;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

class DatabaseUnavailableMapperTest {

    private final DatabaseUnavailableMapper mapper = new DatabaseUnavailableMapper();

    @Test
    void aDatabaseThatCannotBeReachedIs503() {
        assertStatus(mapper.toResponse(new ConnectionException(new SQLException("refused", "08001"))), 503);
        assertStatus(mapper.toResponse(new UnableToExecuteStatementException(
                new SQLTransientConnectionException("pool exhausted"), null)), 503);
        assertStatus(mapper.toResponse(new UnableToExecuteStatementException(
                new SQLException("connection lost", "08006"), null)), 503);
    }

    @Test
    void anyOtherDatabaseErrorIs500() {
        assertStatus(mapper.toResponse(new UnableToExecuteStatementException(
                new SQLException("syntax", "42000"), null)), 500);
    }

    private static void assertStatus(Response response, int status) {
        assertThat(response.getStatus()).isEqualTo(status);
        assertThat(response.getEntity()).isInstanceOfSatisfying(ApiError.class,
                e -> assertThat(e.code()).isEqualTo(status));
    }
}
