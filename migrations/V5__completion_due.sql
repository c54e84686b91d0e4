-- Set when an OPEN session holds every byte of its declared length but is not completed yet: its
-- completion follows in the same request, or could not finish (storage full, name taken). The
-- server's sweep completes such sessions, found through this index instead of a scan of every
-- open session; completion clears it.
ALTER TABLE upload_session ADD COLUMN completion_due_at TIMESTAMP WITH TIME ZONE;
CREATE INDEX upload_session_completion_due ON upload_session (completion_due_at);
