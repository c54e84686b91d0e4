-- flow.js and resumable.js name an upload by their own identifier, and the session is found by
-- (owner, identifier) while it is active. client_key_active is TRUE while the session is OPEN or
-- ASSEMBLING and NULL once it is finished: NULLs never collide in a unique constraint (on H2 and
-- PostgreSQL alike), so the constraint admits one active session per key and any number of
-- finished ones. It is what decides a race of first chunks, across instances too.
ALTER TABLE upload_session ADD COLUMN client_key VARCHAR(255);
ALTER TABLE upload_session ADD COLUMN client_key_active BOOLEAN;
ALTER TABLE upload_session ADD CONSTRAINT upload_session_active_client_key
    UNIQUE (owner, client_key, client_key_active);

-- The chunk size a flow.js or resumable.js upload declared with its first chunk; every later
-- chunk is checked against it.
ALTER TABLE upload_session ADD COLUMN chunk_size BIGINT;

-- tus Upload-Metadata exactly as the client sent it, echoed on HEAD.
ALTER TABLE upload_session ADD COLUMN client_metadata VARCHAR(8192);
