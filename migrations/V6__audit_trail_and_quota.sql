-- The audit trail: one row per lifecycle event, append-only and hash-chained. Each row's hash is
-- SHA-256 over the previous row's hash and a canonical encoding of its own content (README,
-- "Audit trail"), so editing, deleting, inserting or reordering rows breaks the chain. seq is
-- given by the writer under the chain's lock, never by a sequence, so it has no gaps.
CREATE TABLE audit_event (
    seq          BIGINT                   NOT NULL PRIMARY KEY,
    occurred_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    actor        VARCHAR(255)             NOT NULL,
    event        VARCHAR(40)              NOT NULL,
    session_id   VARCHAR(36),
    protocol     VARCHAR(20),
    filename     VARCHAR(1024),
    group_name   VARCHAR(255),
    bytes        BIGINT,
    remote_addr  VARCHAR(255),
    detail       VARCHAR(4096),
    prev_hash    CHAR(64)                 NOT NULL,
    hash         CHAR(64)                 NOT NULL
);

-- Queries of the trail by session, actor and event, newest first.
CREATE INDEX audit_event_session ON audit_event (session_id, seq);
CREATE INDEX audit_event_actor ON audit_event (actor, seq);
CREATE INDEX audit_event_event ON audit_event (event, seq);
CREATE INDEX audit_event_hash ON audit_event (hash);

-- The head of the chain, one row. Every append locks it last in its transaction (lock order:
-- session row, principal quota row, audit chain), so appends from every instance form one chain.
CREATE TABLE audit_head (
    id    VARCHAR(16) NOT NULL PRIMARY KEY,
    seq   BIGINT      NOT NULL,
    hash  CHAR(64)    NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES ('chain', 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- One row per principal that ever opened a session: locking it makes "count the principal's open
-- sessions, then add one" atomic across instances, without touching the token rows.
CREATE TABLE principal_quota (
    principal  VARCHAR(255) NOT NULL PRIMARY KEY
);
