// Auth store benchmark: one process, one run, the same Baileys-like workload against the encrypted SQLite
// store, Baileys' own useMultiFileAuthState and our file store. Run: `npx tsx bench/store.bench.ts [--messages N]`.
// Uses temp dirs only and removes them. The last line is the write-throughput ratio the project tracks.

import { Curve, initAuthCreds, useMultiFileAuthState } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import diagnosticsChannel from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createFileAuthStoreFactory } from '../src/main/core/auth-store/file-store'
import { openSqliteAuthStoreFactory } from '../src/main/core/auth-store/sqlite-store'
import type { AuthStore, AuthenticationCreds, KeyData } from '../src/main/core/auth-store/types'
import type { AccountId } from '../src/shared/ids'
import { AUTH_STORE_START, AUTH_STORE_STOP } from '../src/main/core/telemetry/channels'
import { instrumentStore } from '../src/main/core/telemetry/instrument-store'

const PRE_KEYS = 812
const PEERS = 50
const GROUPS = 10
const CREDS_EVERY = 50
const WARMUP_MESSAGES = 300

const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '2000' } } })
const MESSAGES = Number(args.messages)
if (!Number.isInteger(MESSAGES) || MESSAGES < 1) {
  console.error('--messages must be a positive integer')
  process.exit(2)
}

/** What the workload needs from a store: the seed's calls, with creds saved from a held object. */
interface BenchTarget {
  name: string
  get(type: string, ids: string[]): Promise<Record<string, unknown>>
  set(data: KeyData): Promise<void>
  saveCreds(): Promise<void>
  close(): Promise<void>
}

const WRITE_OPS = ['set session', 'delete pre-key', 'set sender-key', 'save creds'] as const
const ALL_OPS = ['upload pre-keys', 'get session', 'set session', 'get pre-key', 'delete pre-key', 'get sender-key', 'set sender-key', 'save creds'] as const
type Op = (typeof ALL_OPS)[number]

function preKeyBatch(from: number): KeyData {
  const batch: Record<string, unknown> = {}
  for (let i = 0; i < PRE_KEYS; i++) batch[String(from + i)] = Curve.generateKeyPair()
  return { 'pre-key': batch }
}

interface Samples {
  /** Nanoseconds per call, by operation. */
  byOp: Map<Op, number[]>
  /** Keys written or deleted (and creds saved) by all write calls, and the time spent in them. */
  writtenItems: number
  writeNs: number
}

async function runWorkload(target: BenchTarget, messages: number): Promise<Samples> {
  const samples = new Map<Op, number[]>(ALL_OPS.map((op) => [op, []]))
  const timed = async <T>(op: Op, fn: () => Promise<T>): Promise<T> => {
    const t0 = process.hrtime.bigint()
    const out = await fn()
    samples.get(op)!.push(Number(process.hrtime.bigint() - t0))
    return out
  }
  // Values sized like Baileys' own: a serialized session ~1.2 kB, a sender key record ~0.6 kB.
  const session = randomBytes(1200)
  const senderKey = randomBytes(600)
  let nextPreKey = 1
  // Key generation stays outside the timed call: only the store is measured.
  const first = preKeyBatch(nextPreKey)
  await timed('upload pre-keys', () => target.set(first))
  let preKeysLeft = PRE_KEYS
  for (let i = 0; i < messages; i++) {
    // Baileys uploads a fresh batch when the server runs low; the benchmark refills when used up.
    if (preKeysLeft === 0) {
      const batch = preKeyBatch(nextPreKey)
      await timed('upload pre-keys', () => target.set(batch))
      preKeysLeft = PRE_KEYS
    }
    const peer = `55119${String(i % PEERS).padStart(8, '0')}.0`
    await timed('get session', () => target.get('session', [peer]))
    await timed('set session', () => target.set({ session: { [peer]: session } }))
    const preKeyId = String(nextPreKey++)
    preKeysLeft--
    await timed('get pre-key', () => target.get('pre-key', [preKeyId]))
    await timed('delete pre-key', () => target.set({ 'pre-key': { [preKeyId]: null } }))
    const skId = `1203630000000${i % GROUPS}@g.us::55119${String(i % PEERS).padStart(8, '0')}::0`
    await timed('get sender-key', () => target.get('sender-key', [skId]))
    await timed('set sender-key', () => target.set({ 'sender-key': { [skId]: senderKey } }))
    if ((i + 1) % CREDS_EVERY === 0) await timed('save creds', () => target.saveCreds())
  }
  let writtenItems = 0
  let writeNs = 0
  for (const op of [...WRITE_OPS, 'upload pre-keys'] as const) {
    const list = samples.get(op)!
    writtenItems += op === 'upload pre-keys' ? list.length * PRE_KEYS : list.length
    writeNs += list.reduce((a, b) => a + b, 0)
  }
  return { byOp: samples, writtenItems, writeNs }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const ms = (ns: number): string => (ns / 1e6).toFixed(3)

interface Throughput {
  /** Per-message write calls (set session, delete pre-key, set sender key, save creds) per second. */
  perMessage: number
  /** Every key written or deleted and every creds save of the workload, uploads included, per second. */
  workload: number
}

function report(name: string, samples: Samples): Throughput {
  console.log(`\n== ${name}`)
  console.log(`${'operation'.padEnd(18)}${'count'.padStart(7)}${'ops/s'.padStart(11)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`)
  for (const [op, list] of samples.byOp) {
    const sorted = [...list].sort((a, b) => a - b)
    const total = list.reduce((a, b) => a + b, 0)
    const opsPerSec = list.length / (total / 1e9)
    console.log(
      `${op.padEnd(18)}${String(list.length).padStart(7)}${opsPerSec.toFixed(0).padStart(11)}${ms(percentile(sorted, 50)).padStart(10)}${ms(percentile(sorted, 99)).padStart(10)}`,
    )
  }
  let calls = 0
  let callNs = 0
  for (const op of WRITE_OPS) {
    const list = samples.byOp.get(op)!
    calls += list.length
    callNs += list.reduce((a, b) => a + b, 0)
  }
  const perMessage = calls / (callNs / 1e9)
  const workload = samples.writtenItems / (samples.writeNs / 1e9)
  console.log(`write throughput: per-message writes ${perMessage.toFixed(0)} ops/s; whole workload ${workload.toFixed(0)} keys/s`)
  return { perMessage, workload }
}

function storeTarget(name: string, store: AuthStore, creds: AuthenticationCreds, close: () => Promise<void>): BenchTarget {
  return {
    name,
    get: (type, ids) => store.get(type, ids),
    set: (data) => store.set(data),
    saveCreds: () => store.saveCreds(creds),
    close,
  }
}

/** ns per one-key get: plain store, instrumented with no subscriber, instrumented with a subscriber. */
async function telemetryOverhead(store: AuthStore): Promise<{ plain: number; idle: number; observed: number }> {
  const instrumented = instrumentStore(store)
  const ids = ['55119' + '00000000.0']
  const iterations = 20_000
  const measure = async (s: AuthStore): Promise<number> => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) await s.get('session', ids)
    return Number(process.hrtime.bigint() - t0) / iterations
  }
  const onEvent = (): void => {}
  const rounds: { plain: number; idle: number; observed: number }[] = []
  // Interleaved rounds, median of each, so drift (GC, page cache) hits all three alike.
  for (let r = 0; r < 7; r++) {
    const plain = await measure(store)
    const idle = await measure(instrumented)
    diagnosticsChannel.subscribe(AUTH_STORE_START, onEvent)
    diagnosticsChannel.subscribe(AUTH_STORE_STOP, onEvent)
    const observed = await measure(instrumented)
    diagnosticsChannel.unsubscribe(AUTH_STORE_START, onEvent)
    diagnosticsChannel.unsubscribe(AUTH_STORE_STOP, onEvent)
    rounds.push({ plain, idle, observed })
  }
  const median = (k: 'plain' | 'idle' | 'observed'): number => rounds.map((x) => x[k]).sort((a, b) => a - b)[3]!
  return { plain: median('plain'), idle: median('idle'), observed: median('observed') }
}

/** Warm-up first (JIT, page cache) on a separate account or folder, then the measured run. */
async function measure(make: (tag: string) => Promise<BenchTarget>): Promise<{ name: string; samples: Samples }> {
  const warm = await make('warmup')
  await runWorkload(warm, WARMUP_MESSAGES)
  await warm.close()
  const target = await make('measured')
  const samples = await runWorkload(target, MESSAGES)
  await target.close()
  return { name: target.name, samples }
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'store-bench-'))
  try {
    console.log(
      `auth store benchmark: ${MESSAGES} messages (after ${WARMUP_MESSAGES} warm-up), ${PRE_KEYS} pre-keys per upload, ` +
        `creds every ${CREDS_EVERY}; node ${process.version}`,
    )
    const creds = initAuthCreds()
    const results = new Map<string, Throughput>()

    const sqliteFactory = openSqliteAuthStoreFactory({ file: join(base, 'app.db'), dataKey: randomBytes(32) })
    const sqlite = await measure(async (tag) => {
      const store = sqliteFactory.open(`bench-${tag}` as AccountId)
      await store.saveCreds(creds)
      return storeTarget('encrypted SQLite (WAL, synchronous=NORMAL)', store, creds, async () => {})
    })
    results.set('sqlite', report(sqlite.name, sqlite.samples))

    const multi = await measure(async (tag) => {
      const { state, saveCreds } = await useMultiFileAuthState(join(base, `multifile-${tag}`))
      return {
        name: 'Baileys useMultiFileAuthState (no fsync)',
        get: (type, ids) => state.keys.get(type as never, ids) as Promise<Record<string, unknown>>,
        set: async (data) => {
          await state.keys.set(data as never)
        },
        saveCreds,
        close: async () => {},
      }
    })
    results.set('multifile', report(multi.name, multi.samples))

    const fileFactory = createFileAuthStoreFactory({ root: join(base, 'files') })
    const file = await measure(async (tag) => {
      const store = fileFactory.open(`bench-${tag}` as AccountId)
      await store.saveCreds(creds)
      return storeTarget('our file store (temp file + fsync + rename)', store, creds, async () => {})
    })
    results.set('file', report(file.name, file.samples))
    await fileFactory.close()

    const overhead = await telemetryOverhead(sqliteFactory.open('bench-measured' as AccountId))
    console.log('\n== telemetry overhead (encrypted SQLite, one-key get, median of 7 rounds of 20,000)')
    console.log(`plain store:                              ${overhead.plain.toFixed(0)} ns/op`)
    console.log(`instrumentStore, no subscriber:           ${overhead.idle.toFixed(0)} ns/op (${signed(overhead.idle - overhead.plain)} ns)`)
    console.log(`instrumentStore, start+stop subscribed:   ${overhead.observed.toFixed(0)} ns/op (${signed(overhead.observed - overhead.plain)} ns)`)
    await sqliteFactory.close()

    const ratio = (a: string, k: keyof Throughput): string => (results.get(a)![k] / results.get('multifile')![k]).toFixed(2)
    console.log(`\nper-message write ratio sqlite/multifile: ${ratio('sqlite', 'perMessage')}; file/multifile: ${ratio('file', 'perMessage')}`)
    console.log(`workload write ratio file/multifile: ${ratio('file', 'workload')}`)
    // The tracked figure: the whole workload's writes (uploads, per-message writes, creds), keys per second.
    console.log(`store write-throughput ratio sqlite/multifile: ${ratio('sqlite', 'workload')}`)
  } finally {
    rmSync(base, { recursive: true, force: true })
  }
}

const signed = (n: number): string => (n >= 0 ? `+${n.toFixed(0)}` : n.toFixed(0))

await main()
