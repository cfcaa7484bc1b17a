// Step timings of the encrypted SQLite `set` path (validation, encoding, AAD, sealing, the SQLite write)
// and of whole store.set calls, so a change to codec.ts or sqlite-store.ts can be judged per step.
// Run: `npx tsx bench/sqlite-set-steps.ts`. Temp dir only, removed at the end.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeValue, keyAad } from '../src/main/core/auth-store/codec'
import { openSqliteAuthStoreFactory } from '../src/main/core/auth-store/sqlite-store'
import { flattenKeyData } from '../src/main/core/auth-store/validate'
import { createSealer } from '../src/main/core/crypto/sealer'
import type { AccountId } from '../src/shared/ids'

const N = 50_000
const REPEATS = 5
const session = randomBytes(1200)
const senderKeyObject = { chains: [{ key: randomBytes(32), iteration: 7, signing: randomBytes(33) }], id: 123456 }
const peer = (i: number): string => `55119${String(i % 50).padStart(8, '0')}.0`

/** Median over REPEATS of the mean ns per call over N calls (after a warm-up of N/10). */
async function time(name: string, fn: (i: number) => unknown): Promise<void> {
  for (let i = 0; i < N / 10; i++) await fn(i)
  const runs: number[] = []
  for (let r = 0; r < REPEATS; r++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < N; i++) await fn(i)
    runs.push(Number(process.hrtime.bigint() - t0) / N)
  }
  runs.sort((a, b) => a - b)
  console.log(`${name.padEnd(40)}${runs[REPEATS >> 1]!.toFixed(0).padStart(8)} ns  (${runs[0]!.toFixed(0)}–${runs[REPEATS - 1]!.toFixed(0)})`)
}

const dir = mkdtempSync(join(tmpdir(), 'set-steps-'))
try {
  const sealer = createSealer(randomBytes(32))
  const plaintext = encodeValue(session, 'x')
  const aad = keyAad('bench-x', 'session', peer(1))
  await time('flattenKeyData (one session)', (i) => flattenKeyData({ session: { [peer(i)]: session } }))
  await time('encodeValue (1.2 kB Buffer)', () => encodeValue(session, 'x'))
  await time('encodeValue (small object with Buffers)', () => encodeValue(senderKeyObject, 'x'))
  await time('keyAad', (i) => keyAad('bench-x', 'session', peer(i)))
  await time('sealer.seal (1.6 kB)', () => sealer.seal(plaintext, aad))

  const factory = openSqliteAuthStoreFactory({ file: join(dir, 'app.db'), dataKey: randomBytes(32) })
  const store = factory.open('bench-x' as AccountId)
  await time('store.set (one 1.2 kB session)', (i) => store.set({ session: { [peer(i)]: session } }))
  await time('store.set (delete one pre-key)', (i) => store.set({ 'pre-key': { [String(i)]: null } }))
  const batch: Record<string, Buffer> = {}
  for (let i = 0; i < 100; i++) batch[String(i)] = randomBytes(100)
  await time('store.set (100 small keys, 1 transaction)', () => store.set({ 'pre-key': batch }))
  await factory.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
