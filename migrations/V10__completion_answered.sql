-- Whether the client whose request completed an upload was answered. flow.js and resumable.js ask
-- again, chunk by chunk, when they never got that answer (the server was killed while completing,
-- or recovery completed the upload): an upload of theirs that is completed but unanswered answers
-- those questions, so the file is not sent again as a second upload. Uploads completed before
-- this column existed were answered.
ALTER TABLE upload_session ADD COLUMN completion_answered BOOLEAN;
UPDATE upload_session SET completion_answered = TRUE WHERE state = 'COMPLETED';
