// The dashboard: the admin API (role admin) drawn as totals, a chart, the pending sessions of every
// owner with abort, and the audit trail with its verification. A token without the role is
// answered 403 by every call, and the page says so and shows nothing else.
import {api, bytes, duration, fromTemplate, startSession} from './session.js';

const PAGE = 50;
const AUDIT_PAGE = 20;
let stalledAfterSeconds = Infinity;
let pendingCursor = null;
let auditCursor = null;
let chart = null;

const filters = document.getElementById('filters');

const refuse = startSession(() => load());

document.getElementById('refresh').addEventListener('click', () => load());
document.getElementById('verify').addEventListener('click', () => verify());
document.getElementById('pending-more').addEventListener('click', () => loadPending(false));
document.getElementById('audit-more').addEventListener('click', () => loadAudit(false));
filters.addEventListener('submit', event => {
  event.preventDefault();
  loadPending(true);
});
filters.addEventListener('reset', () => setTimeout(() => loadPending(true)));
window.addEventListener('resize', () => chart && chart.setSize(chartSize()));

async function load() {
  // totals first: they tell the stalled threshold, and whether this token may look at all
  try {
    await loadTotals();
  } catch (e) {
    return;
  }
  document.getElementById('dashboard').hidden = false;
  await Promise.all([loadPending(true), loadHistory(), loadAudit(true), verify()]);
  document.getElementById('refreshed').textContent = 'Updated ' + new Date().toLocaleTimeString();
}

/** Every call goes through here: 401 signs out, 403 says this is no administrator, others show. */
async function call(path, options) {
  try {
    return await api(path, options);
  } catch (e) {
    if (e.status === 401) {
      refuse('The service refused this token (unknown, revoked or expired).');
    } else if (e.status === 403) {
      document.getElementById('dashboard').hidden = true;
      document.getElementById('forbidden').hidden = false;
    } else {
      const p = document.getElementById('dashboard-error');
      p.textContent = 'Could not load ' + path.split('?')[0] + ': ' + e.message;
      p.hidden = false;
    }
    throw e;
  }
}

async function loadTotals() {
  const t = await call('/admin/uploads/totals');
  document.getElementById('forbidden').hidden = true;
  document.getElementById('dashboard-error').hidden = true;
  stalledAfterSeconds = isoSeconds(t.stalled_after);
  text('open-count', t.open.sessions);
  text('open-bytes', bytes(t.open.bytes) + ' held');
  text('stalled-count', t.stalled.sessions);
  text('stalled-note', 'idle over ' + duration(stalledAfterSeconds) + ', ' + bytes(t.stalled.bytes));
  document.getElementById('stalled-card').classList.toggle('alert', t.stalled.sessions > 0);
  const completed = t.by_state.COMPLETED || {sessions: 0, bytes: 0};
  text('completed-count', completed.sessions);
  text('completed-bytes', bytes(completed.bytes));
  fillCounts('by-state', t.by_state);
  fillCounts('by-protocol', t.by_protocol);
  text('totals-time', 'Counted at ' + new Date(t.computed_at).toLocaleTimeString()
      + ' (recounted every few seconds).');
}

function fillCounts(tableId, counts) {
  document.querySelector('#' + tableId + ' tbody').replaceChildren(...Object.entries(counts).map(([name, c]) => {
    const tr = document.createElement('tr');
    tr.append(cell(name), cell(c.sessions, 'num'), cell(bytes(c.bytes), 'num'));
    return tr;
  }));
}

async function loadPending(fresh) {
  const q = new URLSearchParams({state: 'OPEN', limit: PAGE});
  const form = new FormData(filters);
  for (const name of ['owner', 'group', 'protocol', 'idle_longer_than']) {
    const value = String(form.get(name) || '').trim();
    if (value) {
      q.set(name, value);
    }
  }
  if (form.get('stalled') && !q.has('idle_longer_than') && isFinite(stalledAfterSeconds)) {
    q.set('idle_longer_than', 'PT' + stalledAfterSeconds + 'S');
  }
  if (!fresh && pendingCursor) {
    q.set('cursor', pendingCursor);
  }
  const body = document.querySelector('#pending tbody');
  let page;
  try {
    page = await call('/admin/uploads?' + q);
  } catch (e) {
    return;
  }
  const rows = page.items.map(pendingRow);
  if (fresh) {
    body.replaceChildren(...rows);
  } else {
    body.append(...rows);
  }
  pendingCursor = page.next_cursor;
  document.getElementById('pending-more').hidden = !pendingCursor;
  document.getElementById('pending-empty').hidden = body.children.length > 0;
}

function pendingRow(u) {
  const tr = fromTemplate('pending-row');
  tr.dataset.id = u.id;
  tr.querySelector('.owner').textContent = u.owner;
  tr.querySelector('.filename').textContent = u.filename;
  tr.querySelector('.group').textContent = '\u2192 ' + u.group;
  tr.querySelector('.protocol').textContent = u.protocol;
  const bar = tr.querySelector('progress');
  if (u.total_bytes) {
    bar.max = u.total_bytes;
    bar.value = u.received_bytes;
  } else {
    bar.removeAttribute('value');   // indeterminate: the length is not declared yet
  }
  tr.querySelector('.received').textContent = bytes(u.received_bytes) + ' of '
      + (u.total_bytes === undefined ? 'unknown' : bytes(u.total_bytes))
      + (u.stage === 'COMPLETION_DUE' ? ', completing' : '');
  const idle = (Date.now() - Date.parse(u.updated_at)) / 1000;
  tr.querySelector('.idle').textContent = duration(Math.max(idle, 0));
  if (idle > stalledAfterSeconds) {
    tr.classList.add('stalled');
    tr.querySelector('.stalled-mark').hidden = false;
  }
  const button = tr.querySelector('.abort');
  button.setAttribute('aria-label', 'Abort ' + u.filename + ' of ' + u.owner);
  button.addEventListener('click', () => abort(u, tr));
  return tr;
}

async function abort(u, tr) {
  const question = 'Abort the upload of "' + u.filename + '" by ' + u.owner + '?\n\n'
      + bytes(u.received_bytes) + ' received so far will be deleted. This cannot be undone.';
  if (!confirm(question)) {
    return;
  }
  try {
    await call('/admin/uploads/' + encodeURIComponent(u.id), {method: 'DELETE'});
  } catch (e) {
    return;
  }
  const next = tr.nextElementSibling || tr.previousElementSibling;
  tr.remove();
  document.getElementById('pending-empty').hidden = document.querySelector('#pending tbody').children.length > 0;
  (next ? next.querySelector('button') : document.getElementById('refresh')).focus();
  loadTotals().catch(() => {});
  loadAudit(true);
}

async function loadHistory() {
  let h;
  try {
    h = await call('/admin/uploads/history?hours=24');
  } catch (e) {
    return;
  }
  const xs = h.hours.map(p => Date.parse(p.hour) / 1000);
  const data = [xs, h.hours.map(p => p.bytes), h.hours.map(p => p.uploads)];
  const uploads = data[2].reduce((a, b) => a + b, 0);
  const total = data[1].reduce((a, b) => a + b, 0);
  text('chart-summary', uploads + (uploads === 1 ? ' upload' : ' uploads') + ' completed, ' + bytes(total)
      + ', in the last 24 hours; '
      + 'bars: bytes per hour, line: uploads per hour.');
  if (chart) {
    chart.setData(data);
    return;
  }
  const options = Object.assign(chartSize(), {
    legend: {show: true},
    cursor: {drag: {x: false, y: false}},
    // half an hour of room on either side, so the first and last hours' bars show whole
    scales: {x: {time: true, range: (u, min, max) => [min - 1800, max + 1800]}, bytes: {range: (u, min, max) => [0, Math.max(max, 1)]},
      count: {range: (u, min, max) => [0, Math.max(max, 1)]}},
    axes: [
      {},
      {scale: 'bytes', values: (u, ticks) => ticks.map(v => bytes(v)), size: 70},
      {scale: 'count', side: 1, grid: {show: false}, values: (u, ticks) => ticks.map(v => Number.isInteger(v) ? v : '')},
    ],
    series: [
      {},
      {label: 'Bytes', scale: 'bytes', value: (u, v) => v === null ? '' : bytes(v), stroke: '#2a6fb0',
        fill: 'rgba(42,111,176,0.35)', paths: uPlot.paths.bars({size: [0.7, 40]}), points: {show: false}},
      {label: 'Uploads', scale: 'count', stroke: '#c0562f', width: 2},
    ],
  });
  chart = new uPlot(options, data, document.getElementById('chart'));
}

function chartSize() {
  const width = Math.max(document.getElementById('chart').clientWidth, 280);
  return {width, height: Math.round(Math.min(300, Math.max(180, width / 3)))};
}

async function loadAudit(fresh) {
  const q = new URLSearchParams({limit: AUDIT_PAGE});
  if (!fresh && auditCursor) {
    q.set('cursor', auditCursor);
  }
  let page;
  try {
    page = await call('/admin/audit?' + q);
  } catch (e) {
    return;
  }
  const rows = page.items.map(a => {
    const tr = document.createElement('tr');
    tr.append(cell(a.seq, 'num nowrap', 'Seq'), cell(new Date(a.occurred_at).toLocaleString(), '', 'Time'),
        cell(a.actor, '', 'Actor'), cell(a.event, 'nowrap', 'Event'),
        cell(a.filename ? a.filename + (a.group ? ' \u2192 ' + a.group : '') : '', '', 'File'),
        cell([a.bytes ? bytes(a.bytes) : '', a.detail || ''].filter(Boolean).join(', '), 'long', 'Detail'));
    return tr;
  });
  const body = document.querySelector('#audit tbody');
  if (fresh) {
    body.replaceChildren(...rows);
  } else {
    body.append(...rows);
  }
  auditCursor = page.next_cursor;
  document.getElementById('audit-more').hidden = !auditCursor;
}

async function verify() {
  const state = document.getElementById('verify-state');
  const box = document.getElementById('verification');
  state.textContent = 'Verifying the chain\u2026';
  box.classList.remove('intact', 'broken');
  let v;
  try {
    v = await call('/admin/audit/verify');
  } catch (e) {
    state.textContent = 'Could not verify the chain: ' + e.message;
    return;
  }
  box.classList.add(v.intact ? 'intact' : 'broken');
  state.textContent = v.intact
      ? '\u2714 Chain intact: ' + v.rows + ' rows recomputed, checked ' + new Date(v.checked_at).toLocaleTimeString() + '.'
      : '\u2718 Chain BROKEN: ' + v.problem;
  text('verify-head', 'Head: row ' + v.head_seq + ', hash ' + v.head_hash);
}

function cell(value, className, label) {
  const td = document.createElement('td');
  td.textContent = value;
  if (className) {
    td.className = className;
  }
  if (label) {
    td.dataset.label = label;
  }
  return td;
}

function text(id, value) {
  document.getElementById(id).textContent = value;
}

/** Seconds of an ISO-8601 duration as Java writes it: PT1H, PT30M, PT1H30M15.5S, P1DT2H. */
function isoSeconds(iso) {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso || '');
  if (!m) {
    return Infinity;
  }
  return (+(m[1] || 0)) * 86400 + (+(m[2] || 0)) * 3600 + (+(m[3] || 0)) * 60 + (+(m[4] || 0));
}
