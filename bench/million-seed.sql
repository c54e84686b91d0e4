-- Seeds a migrated, empty database with :n upload sessions as production would hold them after
-- months of use (bench/million.sh runs it: psql -v n=1000000 -f bench/million-seed.sql).
--
--   states     ~89.9% COMPLETED, 5% OPEN, 3% ABORTED, 2% EXPIRED, 0.1% FAILED
--   protocols  40% resumables, 25% tus, 25% flow, 10% resumable-js
--   owners     10,000 (user00001 .. user10000); user00001 .. user00100 hold ~50 open sessions each,
--              the other owners ~5; about 100 sessions per owner in all
--   groups     2,000 small ones (grp-0000 .. grp-1999, ~350 sessions each, 5 owners each) and 50
--              shared ones (shared-00 .. shared-49, ~6,000 sessions each)
--   times      finished sessions created over the last 180 days (expired ones 8 to 180 days ago);
--              open ones created in the last 6 days, idle since some point after that, so none of
--              them expires (SESSION_TTL 7 days) while the benchmark runs
--   chunks     open sessions have 1 to 5 chunk rows each (their bytes: bench/million.sh creates
--              them on disk as sparse files, so that start-up recovery finds every chunk intact)
--   audit      a trail as the service writes it: session_created for every session, then
--              session_assembling + session_completed, session_aborted, session_expired or
--              session_assembling + session_failed; ~2.85 rows per session, seq in time order.
--              The rows link prev_hash to the previous row's hash, but the hashes are not the
--              service's canonical SHA-256 chain (hash = sha256 of the seq): audit-verify would
--              report the chain broken. The benchmark does not verify the chain.
--
-- Rows go in in creation order (as a live table fills up), deterministically (setseed).
\set ON_ERROR_STOP on
\timing on
SET synchronous_commit = off;
SET work_mem = '64MB';
SET maintenance_work_mem = '256MB';
SET temp_buffers = '512MB';
SET jit = off;

SELECT now() AS t0 \gset

SELECT setseed(0.42);

-- Indexes are built once the rows are in, far faster than maintained row by row: the migrations'
-- secondary indexes are kept aside here, dropped, and created again from their own definitions
-- (pg_indexes) at the end. Primary keys and unique constraints stay.
CREATE TEMP TABLE saved_index AS
SELECT indexname, indexdef FROM pg_indexes
WHERE schemaname = current_schema() AND tablename IN ('upload_session', 'upload_chunk', 'audit_event')
  AND indexname NOT IN (SELECT conname FROM pg_constraint);
SELECT string_agg(indexname, ', ' ORDER BY indexname) AS "secondary indexes rebuilt after the load" FROM saved_index;
DO $$
DECLARE ix record;
BEGIN
    FOR ix IN SELECT indexname FROM saved_index LOOP
        EXECUTE format('DROP INDEX %I', ix.indexname);
    END LOOP;
END $$;

CREATE TEMP TABLE r AS
SELECT i, random() AS r_state, random() AS r_owner, random() AS r_group, random() AS r_proto,
       random() AS r_time, random() AS r_size, random() AS r_name, random() AS r_dur, random() AS r_chunks
FROM generate_series(1, :n) AS i;

-- every column of a session, derived from its random draws
CREATE TEMP TABLE s AS
WITH a AS (
    SELECT i, r_group, r_time, r_size, r_name, r_dur, r_chunks,
           CASE WHEN r_state < 0.05 THEN 'OPEN'
                WHEN r_state < 0.08 THEN 'ABORTED'
                WHEN r_state < 0.10 THEN 'EXPIRED'
                WHEN r_state < 0.101 THEN 'FAILED'
                ELSE 'COMPLETED' END AS state,
           CASE WHEN r_proto < 0.40 THEN 'RESUMABLES'
                WHEN r_proto < 0.65 THEN 'TUS'
                WHEN r_proto < 0.90 THEN 'FLOW'
                ELSE 'RESUMABLE_JS' END AS protocol,
           CASE WHEN r_state < 0.05 AND r_owner < 0.1 THEN 1 + floor(r_owner * 1000)::int
                WHEN r_state < 0.05 THEN 1 + floor(r_owner * 10000)::int
                ELSE 1 + floor(r_owner * 10000)::int END AS owner_no,
           (ARRAY['report', 'data', 'scan', 'backup', 'video', 'dataset', 'export', 'image', 'thesis', 'log'])
               [1 + floor(r_name * 10)::int] || '-' || floor(r_name * 1000000)::int % 200
               || (ARRAY['.pdf', '.tar.gz', '.zip', '.csv', '.mp4', '.h5', '.json', '.tiff', '.docx', '.txt'])
               [1 + floor(r_size * 10)::int] AS filename
    FROM r
), b AS (
    SELECT a.*,
           'user' || lpad(owner_no::text, 5, '0') AS owner,
           CASE WHEN r_group < 0.7 THEN 'grp-' || lpad(((owner_no - 1) / 5)::text, 4, '0')
                ELSE 'shared-' || lpad((owner_no % 50)::text, 2, '0') END AS group_name,
           CASE protocol WHEN 'RESUMABLES' THEN 33554432 WHEN 'TUS' THEN 67108864 ELSE 8388608 END::bigint AS csize,
           CASE WHEN state = 'OPEN' THEN :'t0'::timestamptz - interval '6 days' * r_time
                WHEN state = 'EXPIRED' THEN :'t0'::timestamptz - interval '8 days' - interval '172 days' * r_time
                ELSE :'t0'::timestamptz - interval '180 days' * r_time END AS created_at,
           -- log-uniform from 1 kB to 20 GB
           round(exp(ln(1000) + r_size * (ln(2e10) - ln(1000))))::bigint AS size_any,
           1 + floor(r_chunks * 5)::int AS open_chunks
    FROM a
)
SELECT b.*,
       (md5('session-' || i))::uuid::text AS id,
       CASE WHEN state = 'OPEN' THEN open_chunks
            WHEN state IN ('COMPLETED', 'FAILED') THEN greatest(1, ceil(size_any::numeric / csize))::int
            ELSE floor(greatest(1, ceil(size_any::numeric / csize)) * r_dur)::int END AS chunks,
       CASE WHEN state = 'OPEN' THEN open_chunks * csize
            WHEN state = 'COMPLETED' THEN size_any
            ELSE floor(size_any * r_dur)::bigint END AS received,
       CASE WHEN state = 'OPEN' AND protocol = 'RESUMABLES' THEN NULL
            WHEN state = 'OPEN' THEN (open_chunks + 1 + floor(r_size * 50)::int) * csize
            WHEN protocol = 'RESUMABLES' AND state <> 'COMPLETED' THEN NULL
            ELSE size_any END AS total_size,
       least(:'t0'::timestamptz, CASE
            WHEN state = 'OPEN' THEN created_at + (:'t0'::timestamptz - created_at) * r_dur
            WHEN state = 'COMPLETED' THEN created_at + make_interval(secs => 1 + size_any / 2e7 * (0.5 + r_dur))
            WHEN state = 'ABORTED' THEN created_at + interval '2 days' * r_dur
            WHEN state = 'EXPIRED' THEN created_at + interval '1 hour' * r_dur + interval '7 days'
                                        + interval '1 minute' * r_time
            ELSE created_at + make_interval(secs => 1 + size_any / 2e7) END) AS updated_at
FROM b
ORDER BY created_at;

INSERT INTO upload_session (id, owner, group_name, filename, protocol, state, total_size, total_chunks, max_chunk,
                            received_bytes, created_at, updated_at, expires_at, completed_at, final_path, sha256,
                            client_key, client_key_active, chunk_size, client_metadata, completion_due_at, chunk_count)
SELECT id, owner, group_name, filename, protocol, state,
       total_size,
       CASE WHEN protocol IN ('FLOW', 'RESUMABLE_JS') THEN greatest(1, ceil(coalesce(total_size, received)::numeric / csize))::int END,
       chunks,
       received,
       created_at, updated_at,
       CASE WHEN state = 'EXPIRED' THEN updated_at - interval '1 minute' * r_time ELSE updated_at + interval '7 days' END,
       CASE WHEN state = 'COMPLETED' THEN updated_at END,
       CASE WHEN state = 'COMPLETED' THEN 'files/' || group_name || '/' || filename END,
       CASE WHEN state = 'COMPLETED' THEN encode(sha256(convert_to(id, 'UTF8')), 'hex') END,
       CASE WHEN protocol IN ('FLOW', 'RESUMABLE_JS')
            THEN coalesce(total_size, received) || '-' || regexp_replace(filename, '[^0-9A-Za-z_-]', '', 'g') || '-' || i END,
       CASE WHEN protocol IN ('FLOW', 'RESUMABLE_JS') AND state = 'OPEN' THEN TRUE END,
       CASE WHEN protocol IN ('FLOW', 'RESUMABLE_JS') THEN csize END,
       CASE WHEN protocol = 'TUS' THEN 'filename ' || encode(convert_to(filename, 'UTF8'), 'base64') END,
       NULL,
       chunks
FROM s;

-- the chunk rows of open sessions: 1..open_chunks, each csize bytes
INSERT INTO upload_chunk (session_id, chunk_number, chunk_offset, size_bytes, md5, received_at)
SELECT id, n, (n - 1) * csize, csize, md5(id || ':' || n),
       created_at + (updated_at - created_at) * n / open_chunks
FROM s CROSS JOIN LATERAL generate_series(1, open_chunks) AS n
WHERE state = 'OPEN'
ORDER BY created_at, n;

INSERT INTO principal_quota (principal) SELECT DISTINCT owner FROM s;

-- the audit trail: the events of each session (kind), numbered in time order
CREATE TEMP TABLE ev AS
SELECT row_number() OVER (ORDER BY at, i, kind) AS seq, i, kind, at
FROM s CROSS JOIN LATERAL (VALUES
        (1, created_at, TRUE),
        (2, updated_at - interval '1 millisecond', state IN ('COMPLETED', 'FAILED')),
        (3, updated_at, state = 'COMPLETED'),
        (4, updated_at, state = 'ABORTED'),
        (5, updated_at, state = 'EXPIRED'),
        (6, updated_at, state = 'FAILED')) AS e(kind, at, happened)
WHERE happened
ORDER BY seq;
CREATE INDEX ON s (i);
ANALYZE s;
ANALYZE ev;

-- appended in seq order, as the service appends them: ev is read in its physical (seq) order and
-- each event looks its session up, which keeps that order without sorting the wide rows again
SET enable_hashjoin = off;
SET enable_mergejoin = off;
INSERT INTO audit_event (seq, occurred_at, actor, event, session_id, protocol, filename, group_name, bytes,
                         remote_addr, detail, prev_hash, hash)
SELECT ev.seq,
       date_trunc('milliseconds', ev.at),
       CASE WHEN ev.kind IN (5, 6) THEN 'system'
            WHEN ev.kind = 4 AND s.r_dur < 0.1 THEN 'admin'
            ELSE s.owner END,
       (ARRAY['session_created', 'session_assembling', 'session_completed', 'session_aborted',
              'session_expired', 'session_failed'])[ev.kind],
       s.id,
       lower(replace(s.protocol, '_', '-')),
       s.filename, s.group_name,
       CASE WHEN ev.kind = 1 THEN 0 ELSE s.received END,
       CASE WHEN ev.kind IN (5, 6) THEN NULL
            ELSE '10.' || (s.owner_no / 256) || '.' || (s.owner_no % 256) || '.' || (1 + s.i % 200) END,
       CASE ev.kind
            WHEN 3 THEN 'size ' || s.received || ', sha256 ' || encode(sha256(convert_to(s.id, 'UTF8')), 'hex')
                        || ', path files/' || s.group_name || '/' || s.filename
            WHEN 4 THEN CASE WHEN s.r_dur < 0.1 THEN 'by administrator admin' ELSE 'by its owner' END
            WHEN 5 THEN 'idle since ' || to_char((s.updated_at - interval '7 days') AT TIME ZONE 'UTC',
                                                 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
            WHEN 6 THEN 'the recorded bytes are unusable: chunk 1 is missing'
       END,
       CASE WHEN ev.seq = 1 THEN repeat('0', 64)
            ELSE encode(sha256(convert_to((ev.seq - 1)::text, 'UTF8')), 'hex') END,
       encode(sha256(convert_to(ev.seq::text, 'UTF8')), 'hex')
FROM ev JOIN s ON s.i = ev.i;
RESET enable_hashjoin;
RESET enable_mergejoin;

UPDATE audit_head SET seq = m.seq, hash = m.hash
FROM (SELECT seq, hash FROM audit_event ORDER BY seq DESC LIMIT 1) m
WHERE audit_head.id = 'chain';

DO $$
DECLARE ix record;
BEGIN
    FOR ix IN SELECT indexdef FROM saved_index LOOP
        EXECUTE ix.indexdef;
    END LOOP;
END $$;
DROP TABLE saved_index;
DROP TABLE ev;
DROP TABLE s;
DROP TABLE r;

VACUUM (ANALYZE) upload_session;
VACUUM (ANALYZE) upload_chunk;
VACUUM (ANALYZE) audit_event;
VACUUM (ANALYZE) principal_quota;
VACUUM (ANALYZE) audit_head;

SELECT state, count(*) AS sessions FROM upload_session GROUP BY state ORDER BY 2 DESC;
SELECT (SELECT count(*) FROM upload_chunk) AS chunk_rows, (SELECT count(*) FROM audit_event) AS audit_rows,
       (SELECT count(DISTINCT owner) FROM upload_session) AS owners,
       (SELECT count(DISTINCT group_name) FROM upload_session) AS groups;
SELECT relname, pg_size_pretty(pg_total_relation_size(oid)) AS size
FROM pg_class WHERE relname IN ('upload_session', 'upload_chunk', 'audit_event') ORDER BY 1;
