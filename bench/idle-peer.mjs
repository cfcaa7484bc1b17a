// The idle server's peer (bench/idle.bench.ts): the least a server on SQLite must load and do before it
// answers. Plain Node 24, no bundle, no tsx: better-sqlite3 opens an empty database in the given folder
// (WAL, as the app's does) and an HTTP server answers GET /healthz on 127.0.0.1, then prints the same ready
// line as the server. It exits when its parent's pipe closes or on SIGTERM.
import { createServer } from 'node:http'
import process from 'node:process'
import { join } from 'node:path'
import Database from 'better-sqlite3'

const dir = process.argv[2]
if (!dir) throw new Error('usage: node bench/idle-peer.mjs <empty folder>')
const db = new Database(join(dir, 'peer.sqlite'))
db.pragma('journal_mode = WAL')
db.exec('CREATE TABLE IF NOT EXISTS t (k TEXT PRIMARY KEY, v BLOB)')
const server = createServer((req, res) => {
  if (req.url === '/healthz') res.end('ok')
  else res.writeHead(404).end()
})
server.listen(0, '127.0.0.1', () => {
  const address = server.address()
  process.stdout.write(`listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}\n`)
})
const stop = () => {
  server.close()
  db.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
