// Paired accounts without pairing them: the benchmarks' fast path to N sessions (10,000 QR pairings
// take hours on 2 cores). For each account it writes what a completed QR pairing leaves behind:
//   - the simulator's side, into a state file (src/simulator/state-file.ts) a simulator is then started
//     on: the account (phone number, LID, the phone's ADV key) and its one companion device (noise key,
//     registration id, identity key, signed pre-key, the one-time pre-keys as uploaded);
//   - the app's side, through the app's own storage code (open-storage.ts, as createCore opens it): the
//     creds through the auth store's saveCreds and the pre-keys through its set, so sealing is the real
//     one, then the account row (stopped, wanted running, paired, its phone known) through the account
//     repository.
// The identities come from seed-identity.ts (Baileys' and the simulator's own pairing functions), in
// worker threads. What a seeded account does not have, compared with one paired by QR and connected
// once: it has never logged in, so the simulator has no push name for it, Baileys' own login chores
// (its LID mapping, its device list, the routing info) happen at its first connect instead, and it
// has `preKeyCount` one-time pre-keys (default 30) instead of the 812 Baileys uploads at its first
// login: enough that the first login uploads nothing (Baileys tops up only at 5 or fewer) and that the
// benchmark's messages, which use one per receiving account, never run short. The connect and message
// phases that follow are real Baileys against the simulator, as after a pairing.

import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { AuthenticationCreds, KeyPair } from '@whiskeysockets/baileys'
import type { AccountId } from '../src/shared/ids'
import type { SendLimits } from '../src/shared/send-limits'
import { createServerIdentity } from '../src/simulator/cert'
import { emptyDirectoryData } from '../src/simulator/directory'
import { writeStateFileAtomic } from '../src/simulator/state-file'
import type { AccountRecord } from '../src/main/core/accounts/account-repository'
import { envVault } from '../src/main/core/crypto/key-vault'
import { silentLogger } from '../src/main/core/logger'
import { openStorage } from '../src/main/core/open-storage'
import { pgAuthStoreFactory } from '../src/main/core/auth-store/pg-store'
import { reviveSeed, seedIdentity, type SeedIdentity, type SeedIdentityInput } from './seed-identity'

/** The benchmarks seed rather than pair by QR above this many accounts (QR pairing takes about 0.4 s an account on 2 cores). */
export const SEED_BY_DEFAULT_ABOVE = 500

/** Enough that no login tops them up (Baileys does at 5 or fewer) and no benchmark runs short. */
export const DEFAULT_SEEDED_PRE_KEYS = 30

export interface SeedOptions {
  count: number
  /** The app's data dir and data key (base64), as openTestCore takes them. No core may have it open. */
  dataDir: string
  dataKey: string
  /** A fleet's PostgreSQL database (postgres://…) instead of the SQLite file in `dataDir`. No server may run on it yet. */
  databaseUrl?: string
  /** Whether each account is started when a core starts (default true, as after a pairing). */
  wantRunning?: boolean
  /** The simulator state file to write; start the simulator on it afterwards. */
  statePath: string
  /** Account i is labelled `<labelPrefix> <i + 1>`, in the app and in the simulator. */
  labelPrefix: string
  /** The send limits each account row gets (a new account gets the settings' default ones). */
  limits: SendLimits
  preKeyCount?: number
  /** Worker threads for the key generation; 0 builds them in this thread (vitest runs no .ts worker). */
  workers?: number
}

export interface SeededAccount {
  id: AccountId
  /** Digits. */
  phone: string
  /** `<phone>@s.whatsapp.net`. */
  jid: string
}

export interface SeededAccounts {
  accounts: SeededAccount[]
  /** Time to build the identities, and to write both sides. */
  generateMs: number
  writeMs: number
}

function inChunks<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / parts)
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))
}

function runWorker(inputs: SeedIdentityInput[]): Promise<SeedIdentity[]> {
  return new Promise((resolve, reject) => {
    // The worker inherits this process's flags, tsx's loader among them, so it can be TypeScript.
    const worker = new Worker(new URL('./seed-worker.ts', import.meta.url), { workerData: inputs })
    worker.once('message', (out: SeedIdentity[]) => {
      resolve(out)
      void worker.terminate()
    })
    worker.once('error', reject)
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`a seeding worker exited with code ${code}`))
    })
  })
}

async function buildIdentities(inputs: SeedIdentityInput[], workers: number): Promise<SeedIdentity[]> {
  if (workers === 0) {
    const out: SeedIdentity[] = []
    for (const input of inputs) out.push(await seedIdentity(input))
    return out
  }
  return (await Promise.all(inChunks(inputs, workers).map(runWorker))).flat()
}

export async function seedAccounts(options: SeedOptions): Promise<SeededAccounts> {
  const now = Date.now()
  const directory = emptyDirectoryData()
  const inputs: SeedIdentityInput[] = Array.from({ length: options.count }, (_, i) => ({
    phone: String(directory.nextPhone++),
    lid: String(directory.nextLid++),
    name: `${options.labelPrefix} ${i + 1}`,
    preKeyCount: options.preKeyCount ?? DEFAULT_SEEDED_PRE_KEYS,
    now,
  }))
  const generateStart = performance.now()
  const identities = await buildIdentities(inputs, options.workers ?? Math.min(availableParallelism(), options.count))
  const generateMs = performance.now() - generateStart

  const writeStart = performance.now()
  directory.accounts = identities.map((identity) => identity.sim)
  await writeStateFileAtomic(options.statePath, { server: createServerIdentity(), directory })

  // As createCore makes it.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 })
  const dataKey = await envVault(options.dataKey).getDataKey()
  const storage = await openStorage({ dataDir: options.dataDir, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}), dataKey, logger: silentLogger() })
  dataKey.fill(0)
  const accounts: SeededAccount[] = []
  try {
    // On PostgreSQL a server opens its stores fenced by its leases (fleet/fleet.ts); no server runs yet,
    // so the seeding writes through the same factory unfenced.
    const stores = storage.stores ?? (storage.postgres ? pgAuthStoreFactory(storage.postgres.database) : null)
    if (!stores) throw new Error('the storage opened has no auth store')
    for (const [i, identity] of identities.entries()) {
      const id = `acc-${randomBytes(5).toString('hex')}` as AccountId
      const store = stores.open(id)
      await store.saveCreds(reviveSeed<AuthenticationCreds>(identity.creds))
      await store.set({ 'pre-key': reviveSeed<Record<string, KeyPair>>(identity.preKeys) })
      const record = seededRecord(id, `${options.labelPrefix} ${i + 1}`, identity.phone, options.limits, now + i)
      storage.accounts.insert({ ...record, wantRunning: options.wantRunning ?? true })
      accounts.push({ id, phone: identity.phone, jid: `${identity.phone}@s.whatsapp.net` })
    }
    await storage.settled()
  } finally {
    await storage.close()
  }
  return { accounts, generateMs, writeMs: performance.now() - writeStart }
}

/** The row of an account paired and connected once, then stopped with the app (started again at the next start unless not wanted running). */
function seededRecord(id: AccountId, label: string, phone: string, limits: SendLimits, at: number): AccountRecord {
  return {
    id,
    label,
    phone,
    name: null,
    status: 'stopped',
    statusSince: at,
    lastError: null,
    lastDisconnectCode: null,
    reconnectCount: 0,
    createdAt: at,
    pairedAt: at,
    lastConnectedAt: at,
    wantRunning: true,
    movedTo: null,
    proxy: null,
    limits,
    condition: null,
    tags: [],
  }
}

/**
 * seedAccounts in a child process (seed-cli.ts), so that what the seeding allocates (its worker
 * threads, thousands of identities) never counts in the memory a benchmark measures in this one. The
 * options, data key included, go over the child's stdin, not its command line. `watch` gets the child
 * at once (a cleanup guard kills it if this process dies).
 */
export async function seedInChildProcess(options: SeedOptions, watch: (child: ChildProcess) => void = () => {}): Promise<SeededAccounts> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/as-built.ts', 'bench/seed-cli.ts'], {
    cwd: resolve(import.meta.dirname, '..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  watch(child)
  child.stdin!.end(JSON.stringify(options))
  const chunks: Buffer[] = []
  child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk))
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`seeding failed: its process exited with code ${code} (its error is above)`)
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as SeededAccounts
}
