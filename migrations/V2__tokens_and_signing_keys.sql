-- Every token ever issued; a request is accepted only if its jti is here, unexpired and unrevoked.
CREATE TABLE issued_token (
    jti         VARCHAR(36)              NOT NULL PRIMARY KEY,
    principal   VARCHAR(255)             NOT NULL,
    groups_csv  VARCHAR(4096)            NOT NULL,
    roles_csv   VARCHAR(255)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    revoked_at  TIMESTAMP WITH TIME ZONE
);

CREATE INDEX issued_token_principal ON issued_token (principal, created_at);

-- The HMAC key tokens are signed with, generated on first start unless configured.
-- A single row; the fixed id makes a second concurrent first start lose on the primary key.
CREATE TABLE signing_key (
    id          VARCHAR(16)              NOT NULL PRIMARY KEY,
    secret      VARCHAR(128)             NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
