// Auth store benchmark: one process, the same Baileys-like workload against the encrypted SQLite store,
// Baileys' own useMultiFileAuthState and our file store, in interleaved rounds so that drift on a shared
// machine (page cache, other processes, GC) hits every store alike instead of deciding the ratio.
// It also runs the as-app path: the same SQLite store instrumented, behind Baileys' adapter and the
// account's key cache, with the telemetry aggregator listening, exactly as the session manager wires it
// (openObservedAuth), once with the app's LRU key cache and once with Baileys' default cache
// (@cacheable/node-cache, what the app used before) so the cost of the cache shows as a ratio.
// Run: `npx tsx bench/store.bench.ts [--messages N] [--rounds R]`. Uses temp dirs only and removes them.
// The last line is the tracked figure: the median over rounds of the per-round sqlite/multifile ratio.

import './as-built'
import { Curve, initAuthCreds, makeCacheableSignalKeyStore, useMultiFileAuthState, type SignalKeyStore } from '@whiskeysockets/baileys'
import { randomBytes } from 'node:crypto'
import diagnosticsChannel from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { createFileAuthStoreFactory } from '../src/main/core/auth-store/file-store'
import { openSqliteAuthStoreFactory } from '../src/main/core/auth-store/sqlite-store'
import type { AuthStore, AuthStoreFactory, AuthenticationCreds, KeyData } from '../src/main/core/auth-store/types'
import type { AccountId } from '../src/shared/ids'
import { AUTH_STORE_START, AUTH_STORE_STOP } from '../src/main/core/telemetry/channels'
import { instrumentStore } from '../src/main/core/telemetry/instrument-store'
import { createEventBus } from '../src/main/core/events'
import { silentLogger } from '../src/main/core/logger'
import { openObservedAuth } from '../src/main/core/observed-auth'
import { createTelemetry, type Telemetry } from '../src/main/core/telemetry/wiring'

const PRE_KEYS = 812
const PEERS = 50
const GROUPS = 10
const CREDS_EVERY = 50
const WARMUP_MESSAGES = 300

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '5' } },
})
const MESSAGES = Number(args.messages)
const ROUNDS = Number(args.rounds)
if (!Number.isInteger(MESSAGES) || MESSAGES < 1 || !Number.isInteger(ROUNDS) || ROUNDS < 1) {
  console.error('--messages and --rounds must be positive integers')
  process.exit(2)
}

// A full GC before each measured run, so one store's garbage is not collected on the next store's clock.
setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

/** What the workload needs from a store: the seed's calls, with creds saved from a held object. */
interface BenchTarget {
  get(type: string, ids: string[]): Promise<Record<string, unknown>>
  set(data: KeyData): Promise<void>
  saveCreds(): Promise<void>
  /** Removes what the run wrote (not timed), so later rounds start from the same state. */
  dispose(): Promise<void>
}

interface StoreSpec {
  key: 'sqlite' | 'multifile' | 'file' | 'app' | 'app-nodecache'
  name: string
  /** A target on a fresh account or folder named by `tag`. */
  make(tag: string): Promise<BenchTarget>
}

const WRITE_OPS = ['set session', 'delete pre-key', 'set sender-key', 'save creds'] as const
const ALL_OPS = ['upload pre-keys', 'get session', 'set session', 'get pre-key', 'delete pre-key', 'get sender-key', 'set sender-key', 'save creds'] as const
type Op = (typeof ALL_OPS)[number]

// Pre-key batches are generated once and handed to every store: key generation is not what is measured,
// and a 2-core machine should not spend the run's budget on Curve25519.
const preKeyBatches = new Map<number, KeyData>()
function preKeyBatch(from: number): KeyData {
  let batch = preKeyBatches.get(from)
  if (!batch) {
    const keys: Record<string, unknown> = {}
    for (let i = 0; i < PRE_KEYS; i++) keys[String(from + i)] = Curve.generateKeyPair()
    batch = { 'pre-key': keys }
    preKeyBatches.set(from, batch)
  }
  return batch
}

/** Nanoseconds per call, by operation. */
type Samples = Map<Op, number[]>

interface Throughput {
  /** Every key written or deleted and every creds save (pre-key uploads included) per second inside write calls. */
  workload: number
  /** Per-message write calls (set session, delete pre-key, set sender key, save creds) per second inside them. */
  perMessage: number
}

async function runWorkload(target: BenchTarget, messages: number): Promise<Samples> {
  const samples: Samples = new Map(ALL_OPS.map((op) => [op, []]))
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
  return samples
}

const sum = (list: readonly number[]): number => list.reduce((a, b) => a + b, 0)

function throughput(samples: Samples): Throughput {
  let items = 0
  let ns = 0
  let calls = 0
  let callNs = 0
  for (const op of [...WRITE_OPS, 'upload pre-keys'] as const) {
    const list = samples.get(op)!
    items += op === 'upload pre-keys' ? list.length * PRE_KEYS : list.length
    ns += sum(list)
    if (op !== 'upload pre-keys') {
      calls += list.length
      callNs += sum(list)
    }
  }
  return { workload: items / (ns / 1e9), perMessage: calls / (callNs / 1e9) }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

const spread = (values: readonly number[], digits: number): string =>
  `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`
const ms = (ns: number): string => (ns / 1e6).toFixed(3)
const signed = (n: number): string => (n >= 0 ? `+${n.toFixed(0)}` : n.toFixed(0))

/** Per-operation table over every round's samples, then the store's per-round throughput summary. */
function reportStore(spec: StoreSpec, rounds: readonly Samples[], perRound: readonly Throughput[]): void {
  console.log(`\n== ${spec.name}  (${rounds.length} rounds pooled)`)
  console.log(`${'operation'.padEnd(18)}${'count'.padStart(7)}${'ops/s'.padStart(11)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}`)
  for (const op of ALL_OPS) {
    const list = rounds.flatMap((r) => r.get(op)!)
    const sorted = [...list].sort((a, b) => a - b)
    const opsPerSec = list.length / (sum(list) / 1e9)
    console.log(
      `${op.padEnd(18)}${String(list.length).padStart(7)}${opsPerSec.toFixed(0).padStart(11)}${ms(percentile(sorted, 50)).padStart(10)}${ms(percentile(sorted, 99)).padStart(10)}`,
    )
  }
  const w = perRound.map((t) => t.workload)
  const m = perRound.map((t) => t.perMessage)
  console.log(
    `write throughput, median of rounds: whole workload ${median(w).toFixed(0)} keys/s (${spread(w, 0)}); ` +
      `per-message writes ${median(m).toFixed(0)} ops/s (${spread(m, 0)})`,
  )
}

function sqliteTarget(factory: AuthStoreFactory, creds: AuthenticationCreds, tag: string): BenchTarget {
  const store = factory.open(`bench-${tag}` as AccountId)
  return storeTarget(store, creds, () => store.clear())
}

function storeTarget(store: AuthStore, creds: AuthenticationCreds, dispose: () => Promise<void>): BenchTarget {
  return {
    get: (type, ids) => store.get(type, ids),
    set: (data) => store.set(data),
    saveCreds: () => store.saveCreds(creds),
    dispose,
  }
}

/**
 * The as-app path: Baileys' `state.keys` and `saveCreds` over the instrumented store, as a socket uses
 * them. `defaultCache` swaps the app's key cache for Baileys' default one (the "before" of the cache).
 */
async function appTarget(factory: AuthStoreFactory, telemetry: Telemetry, tag: string, defaultCache: boolean): Promise<BenchTarget> {
  const account = `bench-${tag}` as AccountId
  const store = factory.open(account)
  const auth = defaultCache
    ? await beforeAuth(telemetry.instrument(store))
    : await openObservedAuth(telemetry, store, account).then((opened) => ({ keys: opened.state.keys, saveCreds: opened.saveCreds }))
  return {
    get: (type, ids) => auth.keys.get(type as never, ids) as Promise<Record<string, unknown>>,
    set: async (data) => {
      await auth.keys.set(data as never)
    },
    saveCreds: auth.saveCreds,
    dispose: async () => {
      await auth.keys.clear?.()
      await store.clear()
      telemetry.forget(account)
    },
  }
}

/** What the app did before: Baileys' makeCacheableSignalKeyStore with its default @cacheable/node-cache. */
async function beforeAuth(store: AuthStore): Promise<{ keys: SignalKeyStore; saveCreds(): Promise<void> }> {
  const creds = (await store.loadCreds()) ?? initAuthCreds()
  const raw: SignalKeyStore = {
    get: (type, ids) => store.get(type, ids) as never,
    set: (data) => store.set(data as KeyData),
  }
  return { keys: makeCacheableSignalKeyStore(raw), saveCreds: () => store.saveCreds(creds) }
}

/** ns per one-key get: plain store, instrumented with no subscriber, instrumented with a subscriber. */
async function telemetryOverhead(store: AuthStore): Promise<{ plain: number; idle: number; observed: number }> {
  const instrumented = instrumentStore(store)
  const ids = ['55119' + '00000000.0']
  await store.set({ session: { [ids[0]!]: randomBytes(1200) } })
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
  const pick = (k: 'plain' | 'idle' | 'observed'): number => median(rounds.map((x) => x[k]))
  return { plain: pick('plain'), idle: pick('idle'), observed: pick('observed') }
}

const p50Of = (list: readonly number[]): number => percentile([...list].sort((a, b) => a - b), 50)

/** ns to put one large value into each cache, as makeCacheableSignalKeyStore does on a `set`. */
async function largeValueSet(): Promise<{ lru: number; nodeCache: number }> {
  const value = { version: 7, hash: randomBytes(128), indexValueMap: {} as Record<string, { valueMac: Buffer }> }
  for (let i = 0; i < 20_000; i++) value.indexValueMap[randomBytes(16).toString('base64')] = { valueMac: randomBytes(32) }
  const { default: NodeCache } = (await import('@cacheable/node-cache')) as { default: new (o: object) => { set(k: string, v: unknown): unknown; close(): void } }
  const lru = createTelemetry({ events: createEventBus(silentLogger()), logger: silentLogger() })
  const time = (fn: () => unknown): number => {
    const t0 = process.hrtime.bigint()
    fn()
    return Number(process.hrtime.bigint() - t0)
  }
  const lruTimes: number[] = []
  const nodeTimes: number[] = []
  for (let r = 0; r < 5; r++) {
    const cache = lru.keyCache(`large-${r}` as AccountId)
    lruTimes.push(time(() => cache.set('app-state-sync-version.critical_block', value)))
    // Configured as Baileys configures its default.
    const node = new NodeCache({ stdTTL: 300, useClones: false, deleteOnExpire: true })
    nodeTimes.push(time(() => node.set('app-state-sync-version.critical_block', value)))
    node.close()
  }
  lru.dispose()
  return { lru: median(lruTimes), nodeCache: median(nodeTimes) }
}

async function main(): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'store-bench-'))
  const creds = initAuthCreds()
  const sqliteFactory = openSqliteAuthStoreFactory({ file: join(base, 'app.db'), dataKey: randomBytes(32) })
  const fileFactory = createFileAuthStoreFactory({ root: join(base, 'files') })
  // The app's telemetry, aggregator and ticks included, listening to every instrumented call.
  const telemetry = createTelemetry({ events: createEventBus(silentLogger()), logger: silentLogger() })
  try {
    const specs: StoreSpec[] = [
      {
        key: 'sqlite',
        name: 'encrypted SQLite (WAL, synchronous=NORMAL)',
        make: async (tag) => {
          const target = sqliteTarget(sqliteFactory, creds, tag)
          await target.saveCreds()
          return target
        },
      },
      {
        key: 'multifile',
        name: 'Baileys useMultiFileAuthState (no fsync)',
        make: async (tag) => {
          const dir = join(base, `multifile-${tag}`)
          const { state, saveCreds } = await useMultiFileAuthState(dir)
          return {
            get: (type, ids) => state.keys.get(type as never, ids) as Promise<Record<string, unknown>>,
            set: async (data) => {
              await state.keys.set(data as never)
            },
            saveCreds,
            dispose: async () => rmSync(dir, { recursive: true, force: true }),
          }
        },
      },
      {
        key: 'app',
        name: 'as the app wires it: instrumented SQLite + adapter + LRU key cache + telemetry',
        make: (tag) => appTarget(sqliteFactory, telemetry, tag, false),
      },
      {
        key: 'app-nodecache',
        name: 'before: the same with Baileys\' default key cache (@cacheable/node-cache)',
        make: (tag) => appTarget(sqliteFactory, telemetry, tag, true),
      },
      {
        key: 'file',
        name: 'our file store (temp file + fsync + rename)',
        make: async (tag) => {
          const store = fileFactory.open(`bench-${tag}` as AccountId)
          await store.saveCreds(creds)
          return storeTarget(store, creds, () => store.clear())
        },
      },
    ]

    console.log(
      `auth store benchmark: ${ROUNDS} rounds x ${MESSAGES} messages per store, ${PRE_KEYS} pre-keys per upload, ` +
        `creds every ${CREDS_EVERY}; one ${WARMUP_MESSAGES}-message warm-up per store first; node ${process.version}, ` +
        `${availableParallelism()} CPUs`,
    )
    console.log(
      'write throughput = (keys written or deleted + creds saves) / seconds spent inside write calls ' +
        '(pre-key uploads count 812 keys each; set session, delete pre-key, set sender-key, save creds count 1); reads excluded',
    )
    console.log(
      'each round runs every store once on a fresh account or folder, order rotated per round, full GC before each run; ' +
        'ratios are computed per round, and the medians and min–max over rounds are reported',
    )

    // Warm-up (JIT, page cache, first-open costs), not measured.
    for (const spec of specs) {
      const warm = await spec.make('warmup')
      await runWorkload(warm, WARMUP_MESSAGES)
      await warm.dispose()
    }

    const samples = new Map(specs.map((s) => [s.key, [] as Samples[]]))
    const perRound = new Map(specs.map((s) => [s.key, [] as Throughput[]]))
    const orders: string[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const order = specs.map((_, i) => specs[(i + r) % specs.length]!)
      orders.push(order.map((s) => s.key).join(','))
      for (const spec of order) {
        const target = await spec.make(`r${r + 1}`)
        collectGarbage()
        const s = await runWorkload(target, MESSAGES)
        await target.dispose()
        samples.get(spec.key)!.push(s)
        perRound.get(spec.key)!.push(throughput(s))
      }
    }

    for (const spec of specs) reportStore(spec, samples.get(spec.key)!, perRound.get(spec.key)!)

    const ratios = (a: StoreSpec['key'], k: keyof Throughput): number[] =>
      perRound.get(a)!.map((t, r) => t[k] / perRound.get('multifile')![r]![k])
    const sqliteRatio = ratios('sqlite', 'workload')
    const sqlitePerMessage = ratios('sqlite', 'perMessage')
    const fileRatio = ratios('file', 'workload')

    console.log('\n== per round (whole-workload write throughput, keys/s)')
    console.log(
      `${'round'.padEnd(7)}${'order'.padEnd(24)}${'sqlite'.padStart(9)}${'multifile'.padStart(11)}${'file'.padStart(8)}` +
        `${'sqlite/multifile'.padStart(18)}${'file/multifile'.padStart(16)}`,
    )
    for (let r = 0; r < ROUNDS; r++) {
      const t = (k: StoreSpec['key']): string => perRound.get(k)![r]!.workload.toFixed(0)
      console.log(
        `${String(r + 1).padEnd(7)}${orders[r]!.padEnd(24)}${t('sqlite').padStart(9)}${t('multifile').padStart(11)}${t('file').padStart(8)}` +
          `${sqliteRatio[r]!.toFixed(2).padStart(18)}${fileRatio[r]!.toFixed(2).padStart(16)}`,
      )
    }

    const overhead = await telemetryOverhead(sqliteFactory.open('bench-telemetry' as AccountId))
    console.log('\n== telemetry overhead (encrypted SQLite, one-key get, median of 7 rounds of 20,000)')
    console.log(`plain store:                              ${overhead.plain.toFixed(0)} ns/op`)
    console.log(`instrumentStore, no subscriber:           ${overhead.idle.toFixed(0)} ns/op (${signed(overhead.idle - overhead.plain)} ns)`)
    console.log(`instrumentStore, start+stop subscribed:   ${overhead.observed.toFixed(0)} ns/op (${signed(overhead.observed - overhead.plain)} ns)`)

    const p50Ratios = (a: StoreSpec['key'], op: Op): number[] =>
      samples.get(a)!.map((round, r) => p50Of(round.get(op)!) / p50Of(samples.get('sqlite')![r]!.get(op)!))
    console.log(`\n== as-app path against the bare store (p50 per round, ratio of medians over ${ROUNDS} rounds; target ≤ 1.3)`)
    for (const op of ['set session', 'upload pre-keys', 'save creds'] as const) {
      const app = p50Ratios('app', op)
      const before = p50Ratios('app-nodecache', op)
      console.log(
        `${op.padEnd(16)} app/bare ${median(app).toFixed(2)} (${spread(app, 2)}); before (node-cache)/bare ${median(before).toFixed(2)} (${spread(before, 2)})`,
      )
    }
    const large = await largeValueSet()
    console.log('\n== one app-state-sync-version value with 20,000 entries, cache set only (median of 5)')
    console.log(`LRU key cache (app):            ${ms(large.lru)} ms`)
    console.log(`@cacheable/node-cache (before): ${ms(large.nodeCache)} ms (${(large.nodeCache / large.lru).toFixed(0)}x the LRU)`)

    console.log(`\n== ratios, median of ${ROUNDS} per-round ratios (min–max)`)
    console.log(`per-message write ratio sqlite/multifile: ${median(sqlitePerMessage).toFixed(2)} (${spread(sqlitePerMessage, 2)})`)
    console.log(`workload write ratio file/multifile: ${median(fileRatio).toFixed(2)} (${spread(fileRatio, 2)})`)
    console.log(`workload write ratio sqlite/multifile: ${median(sqliteRatio).toFixed(2)} (${spread(sqliteRatio, 2)})`)
    // The tracked figure, alone on the last line: median of the per-round whole-workload ratios.
    console.log(`store write-throughput ratio sqlite/multifile: ${median(sqliteRatio).toFixed(2)}`)
  } finally {
    telemetry.dispose()
    await sqliteFactory.close()
    await fileFactory.close()
    rmSync(base, { recursive: true, force: true })
  }
}

await main()
