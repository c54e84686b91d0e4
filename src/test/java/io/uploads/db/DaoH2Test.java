package io.uploads.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.uploads.core.Protocol;
import io.uploads.core.SessionState;
import io.uploads.core.UploadSession;
import io.uploads.testing.TestDatabase;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.junit.jupiter.api.Test;

class DaoH2Test extends DaoTest {
    @Override
    protected TestDatabase.Kind databaseKind() {
        return TestDatabase.Kind.H2;
    }

    /** The count runs under the owner's quota lock at every creation: it must not grow with the owner's history. */
    @Test
    void countingOpenSessionsReadsNoFinishedOnes() throws NoSuchMethodException {
        SessionDao sessions = jdbi.onDemand(SessionDao.class);
        Instant t0 = Instant.parse("2026-01-01T10:00:00Z");
        for (int i = 0; i < 200; i++) {
            UploadSession s = new UploadSession(UUID.randomUUID().toString(), "long-history", "g", i + ".bin",
                    Protocol.TUS, SessionState.OPEN, null, null, 0, 0, t0, t0, t0.plusSeconds(60), null, null, null,
                    null, null, null, null);
            sessions.insert(s);
            if (i >= 2) {
                sessions.transition(s.id(), SessionState.OPEN, SessionState.ABORTED, t0);
            }
        }
        String sql = SessionDao.class.getMethod("countOpen", String.class).getAnnotation(SqlQuery.class).value();

        String plan = jdbi.withHandle(h -> h.createQuery("EXPLAIN ANALYZE " + sql).bind("owner", "long-history")
                .mapTo(String.class).one());

        // H2 reports how many index entries each table access went through
        Matcher scans = Pattern.compile("scanCount: (\\d+)").matcher(plan);
        int total = 0;
        while (scans.find()) {
            total += Integer.parseInt(scans.group(1));
        }
        assertThat(total).as(plan).isPositive().isLessThan(10);
        assertThat(sessions.countOpen("long-history")).isEqualTo(2);
    }
}
