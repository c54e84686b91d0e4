package io.uploads.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.admin.StatementLog.Statement;
import io.uploads.testing.TestDatabase;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class ResumablesListQueriesH2Test extends ResumablesListQueriesTest {

    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }

    @Test
    void theListCostsTheSameStatementsForNoneOneAndFortySessions() {
        StatementLog.install(app.jdbi());
        try {
            List<String> forNone = statementsOfTheList(none);
            List<String> forOne = statementsOfTheList(one);
            List<String> forForty = statementsOfTheList(forty);

            assertThat(forForty).as("statements for forty sessions").hasSameSizeAs(forOne).isEqualTo(forOne);
            assertThat(forOne).as("statements for one session").isEqualTo(forNone);
            assertThat(forForty.stream().filter(sql -> sql.toLowerCase(Locale.ROOT).contains("upload_chunk")))
                    .as("statements reading chunk rows").hasSizeLessThanOrEqualTo(1);
            assertThat(forForty).as("statements of one listing").isNotEmpty().hasSizeLessThanOrEqualTo(4);
        } finally {
            StatementLog.uninstall(app.jdbi());
        }
    }

    /**
     * The data statements (SELECT, INSERT, UPDATE, DELETE) the service runs to answer one
     * {@code GET /files/resumables}, asked twice so that anything cached on first use is.
     */
    private List<String> statementsOfTheList(String token) {
        assertThat(http.get("/files/resumables", token).status()).isEqualTo(200);
        StatementLog.clear();
        assertThat(http.get("/files/resumables", token).status()).isEqualTo(200);
        List<Statement> all = StatementLog.runBy("GET /files/resumables");
        assertThat(all).as("the request's statements are seen at all (thread names)").isNotEmpty();
        return all.stream().map(s -> s.sql().strip())
                .filter(sql -> sql.toUpperCase(Locale.ROOT).matches("(?s)(SELECT|INSERT|UPDATE|DELETE|WITH)\\b.*"))
                .filter(sql -> !sql.equalsIgnoreCase("SELECT 1"))
                .toList();
    }
}
