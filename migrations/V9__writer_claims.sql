-- Who is writing which range of a session's file, and until when. A writer takes its claim
-- (under the session's row lock) before it reads a request body and gives it up in the
-- transaction that records the bytes; a claim overlapping a live one is refused at once, so two
-- writers never interleave in one file. A claim whose holder died (kill -9, lost instance) simply
-- expires; a writer renews its claim while the body streams in.
CREATE TABLE writer_claim (
    id           VARCHAR(36)              NOT NULL PRIMARY KEY,
    session_id   VARCHAR(36)              NOT NULL REFERENCES upload_session (id),
    range_start  BIGINT                   NOT NULL,
    range_end    BIGINT                   NOT NULL,
    holder       VARCHAR(255)             NOT NULL,
    expires_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT writer_claim_range_check CHECK (range_start >= 0 AND range_end >= range_start)
);

CREATE INDEX writer_claim_session ON writer_claim (session_id);
