// @tus/server with @tus/file-store, a peer for bench/peers/run.sh.
// Usage: node tus-server.mjs <port> <storage directory>
// Uploads are created with POST /files; a finished upload's bytes are <storage>/<id> (its metadata <storage>/<id>.json),
// the id being the last segment of the Location.
import { Server } from '@tus/server'
import { FileStore } from '@tus/file-store'

const [port, directory] = process.argv.slice(2)
if (!port || !directory) {
  console.error('usage: node tus-server.mjs <port> <storage directory>')
  process.exit(2)
}
const server = new Server({ path: '/files', datastore: new FileStore({ directory }) })
const http = server.listen({ host: '127.0.0.1', port: Number(port) }, () => {
  console.log(`@tus/server listening on 127.0.0.1:${port}, storage ${directory}`)
})
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { http.close(); process.exit(0) })
