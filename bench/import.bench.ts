// Import memory benchmark: what one transfer:import of a large session bundle costs a headless server
// process, measured as the rise of its peak resident memory (VmHWM, reset just before) over its resident
// memory just before, against the bundle's own size in the same run. The fixed cost of the passphrase's
// key derivation (scrypt at the bundle's parameters: 128 MiB by default) is measured on its own, in the
// same process, and shown beside it: it does not grow with the bundle.
// Run: `npm run bench:import -- [--mb 62] [--rounds 3]`. Temp dirs only, removed at the end.
// The last line is the tracked figure: the median over rounds of (peak rise - key derivation) / bundle size.

import './as-built'
import { initAuthCreds } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { AuthSnapshot } from '../src/main/core/auth-store/types'
import { DEFAULT_SCRYPT, encodeBundle } from '../src/main/core/transfer/bundle'
import { processMemory } from '../test/support/proc-memory'
import { newDataKey, startServerProcess, type ServerProcess } from '../test/support/server-process'

const { values: args } = parseArgs({ options: { mb: { type: 'string', default: '62' }, rounds: { type: 'string', default: '3' } } })
const TARGET_MB = Number(args.mb)
const ROUNDS = Number(args.rounds)
if (!(TARGET_MB > 0 && TARGET_MB <= 63) || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('--mb must be from 1 to 63 and --rounds a positive integer')
  process.exit(2)
}

const PASSPHRASE = 'import benchmark passphrase'
const SESSION_BYTES = 3_000

/** An account with many Signal sessions (what makes real bundles big), about `mb` megabytes as a bundle. */
function bigSnapshot(mb: number, phone: string): AuthSnapshot {
  const creds = initAuthCreds()
  creds.me = { id: `${phone}:1@s.whatsapp.net`, name: 'Bench' }
  const session: Record<string, Uint8Array> = {}
  // A session is ~4,040 bytes of JSON (its bytes as base64 under its address).
  const count = Math.floor((mb * 1e6) / 4_040)
  for (let i = 0; i < count; i += 1) session[`4915${String(i).padStart(8, '0')}.0`] = new Uint8Array(randomBytes(SESSION_BYTES))
  const preKeys: Record<string, { public: Buffer; private: Buffer }> = {}
  for (let i = 1; i <= 800; i += 1) preKeys[String(i)] = { public: randomBytes(32), private: randomBytes(32) }
  return { creds, keys: { session, 'pre-key': preKeys } } as unknown as AuthSnapshot
}

/** Peak resident memory starts again from the current one (Linux: clear_refs 5). */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
}

function post(server: ServerProcess, command: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${server.url}/api/${command}`)
    const req = request(
      url,
      { method: 'POST', agent: false, headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json', 'content-length': body.length } },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (c: string) => (text += c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

/** The rise of the server's peak memory while `work` runs, over its resident memory before. */
async function peakRise(server: ServerProcess, work: () => Promise<void>): Promise<number> {
  const pid = server.child.pid!
  await new Promise((r) => setTimeout(r, 500))
  resetPeak(pid)
  const before = processMemory(pid).rssMiB
  await work()
  return processMemory(pid).peakMiB - before
}

const root = mkdtempSync(join(tmpdir(), 'irish-bench-import-'))
const rows: Array<{ bundleMiB: number; riseMiB: number; kdfMiB: number }> = []
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    const phone = `4917${String(round).padStart(8, '0')}`
    const bundle = await encodeBundle({ snapshot: bigSnapshot(TARGET_MB, phone), meta: { accountName: 'Bench', appVersion: 'bench' }, passphrase: PASSPHRASE }, { scrypt: DEFAULT_SCRYPT })
    const bundleMiB = bundle.length / 2 ** 20
    const body = Buffer.from(JSON.stringify({ bundle: bundle.toString('base64'), passphrase: PASSPHRASE, start: false }))
    // A small bundle at the same scrypt parameters: its peak is the key derivation and what every import has.
    const small = await encodeBundle({ snapshot: bigSnapshot(0.05, `4916${String(round).padStart(8, '0')}`), meta: { appVersion: 'bench' }, passphrase: PASSPHRASE }, { scrypt: DEFAULT_SCRYPT })
    const smallBody = Buffer.from(JSON.stringify({ bundle: small.toString('base64'), passphrase: PASSPHRASE, start: false }))
    const server = await startServerProcess({ dataDir: mkdtempSync(join(root, 'd-')), dataKey: newDataKey() })
    try {
      const kdfMiB = await peakRise(server, async () => {
        const answer = await post(server, 'transfer:import', smallBody)
        if (answer.status !== 200) throw new Error(`small import: ${answer.status} ${answer.text}`)
      })
      const riseMiB = await peakRise(server, async () => {
        const answer = await post(server, 'transfer:import', body)
        if (answer.status !== 200) throw new Error(`import: ${answer.status} ${answer.text}`)
      })
      rows.push({ bundleMiB, riseMiB, kdfMiB })
      console.log(
        `round ${round + 1}: bundle ${bundleMiB.toFixed(1)} MiB (body ${(body.length / 2 ** 20).toFixed(1)} MiB); peak rise ${riseMiB.toFixed(0)} MiB, ` +
          `of which a small import's ${kdfMiB.toFixed(0)} MiB (key derivation); ratio to the bundle ${(riseMiB / bundleMiB).toFixed(2)}, without the key derivation ${((riseMiB - kdfMiB) / bundleMiB).toFixed(2)}`,
      )
    } finally {
      await server.stop()
    }
  }
} finally {
  rmSync(root, { recursive: true, force: true })
}
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
console.log(
  `import of a ${median(rows.map((r) => r.bundleMiB)).toFixed(0)} MiB bundle: peak rise ${median(rows.map((r) => r.riseMiB)).toFixed(0)} MiB, ` +
    `${median(rows.map((r) => r.riseMiB / r.bundleMiB)).toFixed(2)}x the bundle; without the fixed key derivation ` +
    `${median(rows.map((r) => (r.riseMiB - r.kdfMiB) / r.bundleMiB)).toFixed(2)}x`,
)
