-- Start-up recovery reads the open sessions in batches of 500 in id order
-- (SessionDao.findByState: state = 'OPEN' AND id > :afterId ORDER BY id LIMIT 500). Without this
-- index each batch walked the primary key filtering on state: at a million sessions with 5% open,
-- ~10,000 rows per batch, the whole table over the run (bench/million.sh, bench/million-explain.txt).
CREATE INDEX upload_session_state_id ON upload_session (state, id);
