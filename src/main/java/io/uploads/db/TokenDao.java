package io.uploads.db;

import io.uploads.auth.TokenRecord;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

public interface TokenDao {

    @SqlUpdate("""
            INSERT INTO issued_token (jti, principal, groups_csv, roles_csv, created_at, expires_at, revoked_at)
            VALUES (:jti, :principal, :groupsCsv, :rolesCsv, :createdAt, :expiresAt, :revokedAt)
            """)
    void insert(@BindMethods TokenRecord token);

    /** Also run without the DAO for every request's token (TokenQueries), which attaching it would cost more than. */
    String FIND = "SELECT * FROM issued_token WHERE jti = :jti";

    @SqlQuery(FIND)
    Optional<TokenRecord> find(String jti);

    @SqlQuery("SELECT * FROM issued_token ORDER BY created_at")
    List<TokenRecord> list();

    @SqlQuery("SELECT * FROM issued_token WHERE principal = :principal ORDER BY created_at")
    List<TokenRecord> ofPrincipal(String principal);

    @SqlQuery("SELECT COUNT(*) FROM issued_token")
    long count();

    @SqlUpdate("UPDATE issued_token SET revoked_at = :now WHERE principal = :principal AND revoked_at IS NULL")
    int revokePrincipal(String principal, Instant now);

    @SqlUpdate("UPDATE issued_token SET revoked_at = :now WHERE jti = :jti AND revoked_at IS NULL")
    int revoke(String jti, Instant now);
}
