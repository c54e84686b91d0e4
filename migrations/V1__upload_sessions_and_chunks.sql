-- One row per upload session, whatever protocol started it. Counters (max_chunk, received_bytes)
-- are kept on the row so resume and admin queries never have to aggregate chunk rows.
CREATE TABLE upload_session (
    id              VARCHAR(36)              NOT NULL PRIMARY KEY,
    owner           VARCHAR(255)             NOT NULL,
    group_name      VARCHAR(255)             NOT NULL,
    filename        VARCHAR(1024)            NOT NULL,
    protocol        VARCHAR(20)              NOT NULL,
    state           VARCHAR(16)              NOT NULL,
    total_size      BIGINT,
    total_chunks    INTEGER,
    max_chunk       INTEGER                  NOT NULL,
    received_bytes  BIGINT                   NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    expires_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    completed_at    TIMESTAMP WITH TIME ZONE,
    final_path      VARCHAR(4096),
    sha256          CHAR(64),
    CONSTRAINT upload_session_state_check
        CHECK (state IN ('OPEN', 'ASSEMBLING', 'COMPLETED', 'ABORTED', 'EXPIRED', 'FAILED'))
);

-- Resume by filename ("most recently active OPEN session of this owner for this file") and
-- the caller's own listing.
CREATE INDEX upload_session_owner_file ON upload_session (owner, filename, state, updated_at);
-- Expiry, recovery and admin queries by state and idleness.
CREATE INDEX upload_session_state_updated ON upload_session (state, updated_at);

-- A chunk row exists only once its bytes are durable on disk.
CREATE TABLE upload_chunk (
    session_id    VARCHAR(36)              NOT NULL REFERENCES upload_session (id),
    chunk_number  INTEGER                  NOT NULL,
    chunk_offset  BIGINT                   NOT NULL,
    size_bytes    BIGINT                   NOT NULL,
    md5           CHAR(32)                 NOT NULL,
    received_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (session_id, chunk_number),
    CONSTRAINT upload_chunk_number_check CHECK (chunk_number >= 1),
    CONSTRAINT upload_chunk_size_check CHECK (size_bytes >= 0 AND chunk_offset >= 0)
);
