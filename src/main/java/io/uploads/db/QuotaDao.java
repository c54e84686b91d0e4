package io.uploads.db;

import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The row per principal whose lock makes the open-session limit atomic. */
public interface QuotaDao {

    @SqlQuery("SELECT principal FROM principal_quota WHERE principal = :principal")
    Optional<String> find(String principal);

    /** Fails with a unique violation when another transaction created it first: both are fine. */
    @SqlUpdate("INSERT INTO principal_quota (principal) VALUES (:principal)")
    void insert(String principal);

    @SqlQuery("SELECT principal FROM principal_quota WHERE principal = :principal FOR UPDATE")
    Optional<String> lock(String principal);
}
