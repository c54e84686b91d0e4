// Clients for bench/peers/run.sh. Every mode prints one line of JSON:
//   {"elapsed": <seconds>, "bytes": <n>, "uploads": [{"name", "source", "url"}], ...}
// where elapsed covers the uploads only (not Node's start-up nor reading the small files into memory).
//
//   node drive.mjs tus    --endpoint URL --file F --name NAME [--chunk-size BYTES] [--token T]
//       one upload of F with tus-js-client (metadata filename=NAME); without --chunk-size one PATCH
//   node drive.mjs many   --endpoint URL --dir D --prefix P --concurrency C [--token T] [--with-creation 1]
//       every file of D uploaded with tus-js-client as P<basename>, C at a time, each in one PATCH (with
//       --with-creation 1: in the POST that creates it, tus creation-with-upload, uploadDataDuringCreation)
//   node drive.mjs native --url BASE/files/stream/NAME --file F --chunk-size BYTES [--token T]
//       our native API: PATCH ?chunk=1, ?chunk=n&id=.., then ?chunk=end&id=.., one request at a time over one
//       kept-alive connection (the sinks get the very same requests and answer 204 without an id)
import fs from 'node:fs'
import fsp from 'node:fs/promises'
import http from 'node:http'
import path from 'node:path'
import { Upload } from 'tus-js-client'

const [mode, ...rest] = process.argv.slice(2)
const opts = {}
for (let i = 0; i < rest.length; i += 2) {
  if (!rest[i].startsWith('--') || rest[i + 1] === undefined) usage(`bad argument ${rest[i]}`)
  opts[rest[i].slice(2)] = rest[i + 1]
}

function usage(message) {
  console.error(`drive.mjs: ${message}\nusage: node drive.mjs tus|many|native --option value ... (see the head of this file)`)
  process.exit(2)
}

function need(name) {
  if (opts[name] === undefined) usage(`--${name} is required for ${mode}`)
  return opts[name]
}

const headers = opts.token ? { Authorization: `Bearer ${opts.token}` } : {}

/** One tus-js-client upload; resolves with its upload URL. No retries: any error fails the run. */
function tusUpload(endpoint, input, name, chunkSize, withCreation = false) {
  return new Promise((resolve, reject) => {
    const options = {
      endpoint,
      headers,
      metadata: { filename: name, filetype: 'application/octet-stream' },
      retryDelays: null,
      storeFingerprintForResuming: false,
      onError: reject,
      onSuccess: () => resolve(upload.url),
    }
    if (chunkSize) options.chunkSize = chunkSize
    if (withCreation) options.uploadDataDuringCreation = true
    const upload = new Upload(input, options)
    upload.start()
  })
}

async function single() {
  const file = need('file')
  const name = need('name')
  const chunkSize = opts['chunk-size'] ? Number(opts['chunk-size']) : undefined
  const bytes = (await fsp.stat(file)).size
  const start = process.hrtime.bigint()
  const url = await tusUpload(need('endpoint'), fs.createReadStream(file), name, chunkSize)
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  return { elapsed, bytes, uploads: [{ name, source: path.resolve(file), url }] }
}

async function many() {
  const dir = need('dir')
  const prefix = need('prefix')
  const concurrency = Number(need('concurrency'))
  const endpoint = need('endpoint')
  const withCreation = opts['with-creation'] === '1'
  const names = (await fsp.readdir(dir)).sort()
  // read before the clock starts: the test is the servers' handling of many small uploads, not this disk
  const files = await Promise.all(names.map(async n => ({ source: path.resolve(dir, n), name: prefix + n,
    data: await fsp.readFile(path.join(dir, n)) })))
  const uploads = new Array(files.length)
  let next = 0
  const start = process.hrtime.bigint()
  await Promise.all(Array.from({ length: Math.min(concurrency, files.length) }, async () => {
    while (next < files.length) {
      const i = next++
      const url = await tusUpload(endpoint, files[i].data, files[i].name, undefined, withCreation)
      uploads[i] = { name: files[i].name, source: files[i].source, url }
    }
  }))
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  return { elapsed, bytes: files.reduce((n, f) => n + f.data.length, 0), uploads }
}

async function native() {
  const file = path.resolve(need('file'))
  const url = new URL(need('url'))
  const chunkSize = Number(need('chunk-size'))
  const bytes = (await fsp.stat(file)).size
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  let connections = 0
  const send = (query, start, end) => new Promise((resolve, reject) => {
    const length = end - start
    const request = http.request({
      agent, method: 'PATCH', host: url.hostname, port: url.port, path: `${url.pathname}?${query}`,
      headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Length': length },
    }, response => {
      const body = []
      response.on('data', b => body.push(b))
      response.on('end', () => {
        const text = Buffer.concat(body).toString()
        if (response.statusCode < 200 || response.statusCode > 299) {
          reject(new Error(`PATCH ${url.pathname}?${query} answered ${response.statusCode}: ${text}`))
        } else {
          resolve(text ? JSON.parse(text) : {})
        }
      })
    })
    request.on('socket', socket => { if (!socket.counted) { socket.counted = true; connections++ } })
    request.on('error', reject)
    if (length > 0) {
      fs.createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 }).on('error', reject).pipe(request)
    } else {
      request.end()
    }
  })
  const start = process.hrtime.bigint()
  let id
  let n = 1
  for (let offset = 0; offset < bytes; offset += chunkSize, n++) {
    const answer = await send(id === undefined ? 'chunk=1' : `chunk=${n}&id=${id}`, offset, Math.min(bytes, offset + chunkSize))
    id = answer.id ?? 'sink'   // the sinks answer 204 without a body
  }
  const last = await send(`chunk=end&id=${id}`, 0, 0)
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9
  agent.destroy()
  if (connections !== 1) throw new Error(`the native upload used ${connections} connections, not one`)
  const name = decodeURIComponent(url.pathname.split('/').pop())
  return { elapsed, bytes, chunks: n - 1, connections, sha256: last.sha256, path: last.path,
    uploads: [{ name, source: file, url: url.href }] }
}

const modes = { tus: single, many, native }
if (!modes[mode]) usage(`unknown mode ${mode}`)
modes[mode]().then(result => console.log(JSON.stringify(result)), error => {
  console.error(`drive.mjs ${mode}: ${error.stack ?? error}`)
  process.exit(1)
})
