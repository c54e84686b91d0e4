package io.uploads.db;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface SigningKeyDao {

    @SqlQuery("SELECT secret FROM signing_key WHERE id = :id")
    Optional<String> find(String id);

    @SqlUpdate("INSERT INTO signing_key (id, secret, created_at) VALUES (:id, :secret, :now)")
    void insert(String id, String secret, Instant now);
}
