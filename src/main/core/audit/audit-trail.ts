// The audit trail: every command that answered, read or write, refused ones included, with who asked
// (a token's name), the accounts it named, how it ended and the server that answered (docs/security.md,
// "Audit trail"). Main process, Electron-free. Names and ids only, never an input's text, passphrase or
// token: the dispatcher hands over nothing else (access/guard.ts).
//
// Writes are batched: the entries of every command that answers within one turn of the event loop go
// into one transaction (SQLite) or one INSERT (PostgreSQL), and each command's answer waits for its
// batch, so an answered command is on record (bench/audit.bench.ts measures the cost per command against
// the activity log's). Where the rows live is the AuditRows port: sqlite-audit-rows.ts, pg-audit-rows.ts.
// Entries older than the auditRetentionDays setting are pruned at start and every hour.

import type { AuditEntry } from '../../../shared/contract'
import type { Logger } from '../logger'

export interface NewAuditEntry {
  actor: string
  command: string
  accounts: readonly string[]
  /** 'ok', or the error code. */
  result: string
  subject: string | null
}

export interface AuditFilter {
  since?: number | undefined
  until?: number | undefined
  actor?: string | undefined
  command?: string | undefined
  limit: number
}

/** Where the trail's rows live. */
export interface AuditRows {
  /** Writes every entry, in one transaction. */
  insert(entries: readonly AuditEntry[]): void | Promise<void>
  /** Newest first. */
  list(filter: AuditFilter): Promise<AuditEntry[]>
  /** Deletes the entries before `at`; answers how many. */
  prune(before: number): Promise<number>
}

export interface AuditTrail {
  /** Resolves once the entry is written with its batch. Never rejects: a failed write is logged. */
  record(entry: NewAuditEntry): Promise<void>
  list(filter: AuditFilter): Promise<AuditEntry[]>
  /** Resolves when every entry recorded so far is written. */
  settled(): Promise<void>
  close(): Promise<void>
}

export interface AuditTrailOptions {
  rows: AuditRows
  /** The id the entries name as the server that answered. */
  server: string
  logger: Logger
  /** Days to keep an entry (the auditRetentionDays setting), read at each pruning. */
  retentionDays: () => number
  now?: () => number
  pruneEveryMs?: number
}

const DAY_MS = 24 * 60 * 60 * 1000
const PRUNE_EVERY_MS = 60 * 60 * 1000

export function createAuditTrail(options: AuditTrailOptions): AuditTrail {
  const { rows, logger } = options
  const now = options.now ?? Date.now
  let batch: Array<{ entry: AuditEntry; done: () => void }> = []
  let flushing: Promise<void> | null = null
  let scheduled = false

  function schedule(): void {
    if (scheduled) return
    scheduled = true
    // After the current turn: every command answering in it joins this batch.
    setImmediate(() => {
      scheduled = false
      void flush()
    })
  }

  async function flush(): Promise<void> {
    // One write at a time, in order; what arrives meanwhile is the next batch.
    if (flushing) {
      await flushing
      if (batch.length > 0) schedule()
      return
    }
    const taken = batch
    batch = []
    if (taken.length === 0) return
    flushing = (async () => {
      try {
        await rows.insert(taken.map((item) => item.entry))
      } catch (err) {
        logger.error({ err, entries: taken.length }, 'audit entries could not be written')
      } finally {
        for (const item of taken) item.done()
      }
    })()
    await flushing
    flushing = null
    if (batch.length > 0) schedule()
  }

  async function prune(): Promise<void> {
    const before = now() - options.retentionDays() * DAY_MS
    const removed = await rows.prune(before)
    if (removed > 0) logger.info({ removed }, 'audit entries past their retention removed')
  }
  const pruneSafely = (): void => void prune().catch((err: unknown) => logger.warn({ err }, 'could not prune the audit trail'))
  pruneSafely()
  const pruner = setInterval(pruneSafely, options.pruneEveryMs ?? PRUNE_EVERY_MS)
  pruner.unref()

  async function settled(): Promise<void> {
    while (batch.length > 0 || flushing) {
      if (flushing) await flushing
      else await flush()
    }
  }

  return {
    record(entry) {
      return new Promise<void>((resolve) => {
        batch.push({
          entry: { at: now(), actor: entry.actor, command: entry.command, accounts: [...entry.accounts], result: entry.result, server: options.server, subject: entry.subject },
          done: resolve,
        })
        schedule()
      })
    },
    async list(filter) {
      await settled()
      return rows.list(filter)
    },
    settled,
    async close() {
      clearInterval(pruner)
      await settled()
    },
  }
}
