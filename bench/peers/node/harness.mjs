// Helpers of bench/peers/run.sh (not a benchmark by itself):
//   node harness.mjs prepare --dir D --size-mib N --mib-count M --small-count S [--warmup-mib W]
//       D/big.bin (N MiB), D/mib/ (M files of 1 MiB), D/small/ (S files of 16 KiB), D/warmup.bin (W MiB), all
//       random; D/hashes.json maps each file's absolute path to its SHA-256
//   node harness.mjs verify --kind K --store DIR --manifest F --hashes H [--record R --round n --test t
//                          --server s --metric mbps|seconds --cpu SECONDS]
//       checks that every upload of the manifest (drive.mjs's JSON) is stored byte-identical to its source
//       (SHA-256); exits 1 naming the first that is not. K says where a server keeps a finished upload:
//         ours     DIR/files/bench/<name>           tus-java  DIR/uploads/<id>/data
//         tus-node DIR/<id>                          fsync     DIR/<name>
//         null     nothing is kept, nothing is verified
//       (<id> is the last segment of the upload URL). With --record, appends the result rows to R (TSV)
//   node harness.mjs report --results R --size-mib N --rounds n --chunk-mib C --mib-count M --small-count S
//                          --concurrency C --load "label=loadavg" ...
//       the table of medians
import crypto from 'node:crypto'
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import path from 'node:path'

const [command, ...rest] = process.argv.slice(2)
const opts = {}
const loads = []
for (let i = 0; i < rest.length; i += 2) {
  if (!rest[i].startsWith('--') || rest[i + 1] === undefined) fail(`bad argument ${rest[i]}`)
  if (rest[i] === '--load') loads.push(rest[i + 1])
  else opts[rest[i].slice(2)] = rest[i + 1]
}

function fail(message) {
  console.error(`FAIL: ${message}`)
  process.exit(1)
}

async function writeRandom(file, bytes) {
  const hash = crypto.createHash('sha256')
  const fd = await fsp.open(file, 'w')
  try {
    for (let left = bytes; left > 0;) {
      const piece = crypto.randomBytes(Math.min(left, 8 << 20))
      hash.update(piece)
      await fd.write(piece)
      left -= piece.length
    }
  } finally {
    await fd.close()
  }
  return hash.digest('hex')
}

async function prepare() {
  const dir = path.resolve(opts.dir)
  const hashes = {}
  await fsp.mkdir(path.join(dir, 'mib'), { recursive: true })
  await fsp.mkdir(path.join(dir, 'small'), { recursive: true })
  const big = path.join(dir, 'big.bin')
  hashes[big] = await writeRandom(big, Number(opts['size-mib']) * 2 ** 20)
  if (Number(opts['warmup-mib'] ?? 0) > 0) {
    const warmup = path.join(dir, 'warmup.bin')
    hashes[warmup] = await writeRandom(warmup, Number(opts['warmup-mib']) * 2 ** 20)
  }
  for (const [sub, count, bytes] of [['mib', Number(opts['mib-count']), 2 ** 20], ['small', Number(opts['small-count']), 16384]]) {
    for (let i = 1; i <= count; i++) {
      const file = path.join(dir, sub, `${sub}-${String(i).padStart(5, '0')}.bin`)
      hashes[file] = await writeRandom(file, bytes)
    }
  }
  await fsp.writeFile(path.join(dir, 'hashes.json'), JSON.stringify(hashes, null, 1))
}

function storedPath(kind, store, upload) {
  const id = decodeURIComponent(new URL(upload.url, 'http://x').pathname.split('/').pop())
  switch (kind) {
    case 'ours': return path.join(store, 'files', 'bench', upload.name)
    case 'tus-java': return path.join(store, 'uploads', id, 'data')
    case 'tus-node': return path.join(store, id)
    case 'fsync': return path.join(store, upload.name)
    default: fail(`unknown kind ${kind}`)
  }
}

function sha256(file) {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256')
    fs.createReadStream(file, { highWaterMark: 1 << 20 }).on('error', reject).on('data', b => hash.update(b))
      .on('end', () => resolve(hash.digest('hex')))
  })
}

async function verify() {
  const manifest = JSON.parse(await fsp.readFile(opts.manifest, 'utf8'))
  const hashes = JSON.parse(await fsp.readFile(opts.hashes, 'utf8'))
  const kind = opts.kind
  const what = `${opts.test ?? 'upload'} to ${opts.server ?? kind}`
  if (!Array.isArray(manifest.uploads) || manifest.uploads.length === 0) fail(`${what}: no uploads in ${opts.manifest}`)
  if (kind !== 'null') {
    // a few at a time: the 16 KiB test has a thousand files
    const queue = [...manifest.uploads]
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let upload; (upload = queue.shift());) {
        const expected = hashes[upload.source]
        if (!expected) fail(`${what}: no expected hash for ${upload.source}`)
        const stored = storedPath(kind, opts.store, upload)
        if (!fs.existsSync(stored)) fail(`${what}: ${upload.name} (${upload.url}) is not at ${stored}`)
        const actual = await sha256(stored)
        if (actual !== expected) {
          fail(`${what}: ${stored} is not byte-identical to ${upload.source}: sha256 ${actual}, expected ${expected}`)
        }
      }
    }))
  }
  if (opts.record) {
    const value = opts.metric === 'mbps' ? manifest.bytes / 1e6 / manifest.elapsed : manifest.elapsed
    const rows = [[opts.round, opts.test, opts.server, opts.metric, value.toFixed(4)],
      [opts.round, opts.test, opts.server, 'cpu', Number(opts.cpu).toFixed(3)],
      [opts.round, opts.test, opts.server, 'bytes', manifest.bytes]]
    await fsp.appendFile(opts.record, rows.map(r => r.join('\t') + '\n').join(''))
    const unit = opts.metric === 'mbps' ? 'MB/s' : 's'
    const checked = kind === 'null' ? 'discarded, not verified' : `${manifest.uploads.length} verified`
    console.error(`  round ${opts.round}  ${opts.test.padEnd(8)} ${opts.server.padEnd(9)} ${value.toFixed(2).padStart(9)} ${unit.padEnd(4)}  server CPU ${Number(opts.cpu).toFixed(2)} s  (${checked})`)
  }
}

function median(values) {
  if (!values || values.length === 0) return undefined
  const v = [...values].sort((a, b) => a - b)
  const m = v.length >> 1
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2
}

async function report() {
  const rows = (await fsp.readFile(opts.results, 'utf8')).trim().split('\n').filter(Boolean).map(l => l.split('\t'))
  const values = {}
  for (const [, test, server, metric, value] of rows) {
    ((values[`${test}/${server}/${metric}`] ??= [])).push(Number(value))
  }
  const med = (test, server, metric) => median(values[`${test}/${server}/${metric}`])
  const GiB = 2 ** 30
  const perGiB = (test, server) => {
    const cpu = med(test, server, 'cpu')
    const bytes = med(test, server, 'bytes')
    return cpu === undefined || !bytes ? undefined : cpu / (bytes / GiB)
  }
  const fmt = (x, digits = 1) => x === undefined || !Number.isFinite(x) ? '-' : x.toFixed(digits)
  const ratio = (a, b) => a === undefined || b === undefined || b === 0 ? undefined : a / b
  const servers = ['ours', 'tus-java', 'tus-node', 'null', 'fsync']
  const table = []
  const row = (label, get, digits = 1) => {
    const v = Object.fromEntries(servers.map(s => [s, get(s)]))
    table.push([label, fmt(v.ours, digits), fmt(v['tus-java'], digits), fmt(v['tus-node'], digits),
      fmt(ratio(v.ours, v['tus-java']), 2), fmt(ratio(v.ours, v['tus-node']), 2),
      fmt(v.null, digits), fmt(v.fsync, digits), fmt(ratio(v.ours, v.fsync), 2)])
  }
  const size = Number(opts['size-mib'])
  const chunk = Number(opts['chunk-mib'])
  const c = opts.concurrency
  row(`tus-js-client, ${size} MiB in ${chunk} MiB chunks (MB/s)`, s => med('tusjs', s, 'mbps'))
  row(`curl POST + one PATCH of ${size} MiB (MB/s)`, s => med('curl', s, 'mbps'))
  row(`${opts['mib-count']} x 1 MiB, ${c} at once, tus-js-client (s)`, s => med('mib', s, 'seconds'), 2)
  row(`${opts['small-count']} x 16 KiB, ${c} at once, tus-js-client (s)`, s => med('small', s, 'seconds'), 2)
  row(`${opts['small-count']} x 16 KiB, each in its POST (creation-with-upload) (s)`, s => med('smallpost', s, 'seconds'), 2)
  row(`native API, ${size} MiB in ${chunk} MiB chunks, 1 connection (MB/s)`, s => med('native', s, 'mbps'))
  row('server CPU s, curl single PATCH', s => med('curl', s, 'cpu'), 2)
  row('server CPU s/GiB, curl single PATCH', s => perGiB('curl', s), 2)
  row(`server CPU s/GiB, tus-js-client ${chunk} MiB chunks`, s => perGiB('tusjs', s), 2)
  row(`server CPU s/GiB, native ${chunk} MiB chunks`, s => perGiB('native', s), 2)
  row(`server CPU s, ${opts['mib-count']} x 1 MiB`, s => med('mib', s, 'cpu'), 2)
  row(`server CPU s, ${opts['small-count']} x 16 KiB`, s => med('small', s, 'cpu'), 2)
  row(`server CPU s, ${opts['small-count']} x 16 KiB in the POST`, s => med('smallpost', s, 'cpu'), 2)
  const header = ['median of ' + opts.rounds + ' round(s)', 'ours', 'tus-java', '@tus', 'ours/tus-java', 'ours/@tus',
    'null sink', 'fsync sink', 'ours/fsync']
  const widths = header.map((h, i) => Math.max(h.length, ...table.map(r => r[i].length)))
  const line = r => r.map((x, i) => i === 0 ? x.padEnd(widths[i]) : x.padStart(widths[i])).join('  ')
  console.log(line(header))
  for (const r of table) console.log(line(r))
  for (const l of loads) {
    const [label, value] = l.split('=')
    console.log(`load average ${label}: ${value}`)
  }
}

const commands = { prepare, verify, report }
if (!commands[command]) fail(`unknown command ${command}`)
commands[command]().catch(error => fail(error.stack ?? error))
