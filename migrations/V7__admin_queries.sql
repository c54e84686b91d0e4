-- Admin and resume queries stay index-backed at millions of sessions (README, "Performance").

-- The admin list: newest first (created_at, id descending), alone or under one equality filter;
-- the other filters are applied to the rows these indexes deliver in order.
CREATE INDEX upload_session_created ON upload_session (created_at, id);
CREATE INDEX upload_session_state_created ON upload_session (state, created_at, id);
CREATE INDEX upload_session_owner_created ON upload_session (owner, created_at, id);
CREATE INDEX upload_session_group_created ON upload_session (group_name, created_at, id);
CREATE INDEX upload_session_protocol_created ON upload_session (protocol, created_at, id);

-- The caller's own open sessions, most recently active first (GET /files/resumables), and the
-- count behind the open-session limit.
CREATE INDEX upload_session_owner_state_updated ON upload_session (owner, state, updated_at);

-- The audit list by time range.
CREATE INDEX audit_event_time ON audit_event (occurred_at, seq);

-- How many chunks a session holds, kept on the row as received_bytes is, so listings never count
-- chunk rows.
ALTER TABLE upload_session ADD COLUMN chunk_count INTEGER DEFAULT 0 NOT NULL;
UPDATE upload_session SET chunk_count = (SELECT COUNT(*) FROM upload_chunk WHERE upload_chunk.session_id = upload_session.id);
