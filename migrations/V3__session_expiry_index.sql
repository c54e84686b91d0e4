-- The expiry sweep finds OPEN sessions past their expires_at without scanning the table.
CREATE INDEX upload_session_state_expires ON upload_session (state, expires_at);
