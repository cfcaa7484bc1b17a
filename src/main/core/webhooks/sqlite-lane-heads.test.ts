// The SQLite outbox's lane heads in memory against the table: after every change an outbox makes (rows
// queued, attempts recorded as delivered, failed or dead, deliveries queued again, endpoints deleted), the
// heads it claims are the ones a fresh outbox reads from the table (which is what a restart does).

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import type { ClaimRequest, Outbox, OutboxRow } from './outbox'
import { createSqliteOutbox } from './sqlite-outbox'

let dir: string
let database: OpenedDatabase

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'irish-lane-heads-'))
  database = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
})

afterEach(() => {
  database.close()
  rmSync(dir, { recursive: true, force: true })
})

const WEBHOOKS = ['wh-a', 'wh-b']
const LANES = ['acc-1', 'acc-2', 'acc-3']

async function addWebhooks(outbox: Outbox): Promise<void> {
  for (const id of WEBHOOKS) {
    await outbox.insertWebhook({ id, sealedUrl: null, url: null, events: '[]', secret: randomBytes(32), createdAt: 1, lastSuccessAt: null, failuresInARow: 0, lastError: null })
  }
}

function request(now: number): ClaimRequest {
  return { now, limit: 1000, busy: new Set(), maxPerWebhook: 1000, inFlight: new Map(), claimMs: 0 }
}

/** What a claim at `now` returns, by seq, and when the next head is due. */
async function claimed(outbox: Outbox, now: number): Promise<{ seqs: number[]; nextAt: number | null }> {
  const { rows, nextAt } = await outbox.claim(request(now))
  return { seqs: rows.map((row) => row.seq), nextAt }
}

/** A small deterministic generator, so a failure repeats. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state / 2 ** 31
  }
}

describe('SQLite outbox lane heads', () => {
  it('claims what a fresh read of the table would after every kind of change', async () => {
    const outbox = createSqliteOutbox(database.sqlite)
    await addWebhooks(outbox)
    const random = seeded(7)
    const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!
    let now = 1_000
    let serial = 0
    const kinds = new Set<string>()
    for (let step = 0; step < 400; step += 1) {
      now += 10
      const roll = random()
      if (roll < 0.4) {
        const rows = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
          deliveryId: `d-${(serial += 1)}`,
          webhookId: pick(WEBHOOKS),
          lane: pick(LANES),
          event: 'accounts:message',
          payload: Buffer.from('sealed'),
          createdAt: now,
        }))
        // Sometimes a repeat of a delivery already queued, which must change nothing.
        if (serial > 3 && random() < 0.2) rows.push({ ...rows[0]!, deliveryId: `d-${serial - 3}` })
        outbox.enqueue(rows)
        kinds.add('queued')
      } else if (roll < 0.85) {
        const { rows } = await outbox.claim(request(now))
        if (rows.length === 0) continue
        const row: OutboxRow = pick(rows)
        const status = pick(['delivered', 'pending', 'dead'] as const)
        await outbox.recordAttempt({ seq: row.seq, webhookId: row.webhookId, health: { ok: true, at: now }, claimId: null, status, at: now, nextAttemptAt: status === 'pending' ? now + 5 + Math.floor(random() * 40) : now, statusCode: 200, error: null, durationMs: 1, response: null })
        kinds.add(status)
      } else if (roll < 0.97) {
        const settled = (await outbox.deliveries({ limit: 1000 })).filter((row) => row.status !== 'pending')
        if (settled.length === 0) continue
        await outbox.requeue(pick(settled).deliveryId, now)
        kinds.add('requeued')
      } else {
        const id = pick(WEBHOOKS)
        await outbox.deleteWebhook(id)
        await outbox.insertWebhook({ id, sealedUrl: null, url: null, events: '[]', secret: randomBytes(32), createdAt: now, lastSuccessAt: null, failuresInARow: 0, lastError: null })
        kinds.add('deleted')
      }
      const fresh = createSqliteOutbox(database.sqlite)
      expect(await claimed(outbox, now), `step ${step}`).toEqual(await claimed(fresh, now))
    }
    // The walk went through every kind of change.
    expect([...kinds].sort()).toEqual(['dead', 'deleted', 'delivered', 'pending', 'queued', 'requeued'])
  })

  it('commits attempts that end close together in one transaction, and a failed commit rejects them and keeps the rows pending', async () => {
    const outbox = createSqliteOutbox(database.sqlite)
    await addWebhooks(outbox)
    outbox.enqueue(LANES.map((lane, i) => ({ deliveryId: `d-${i}`, webhookId: 'wh-a', lane, event: 'accounts:message', payload: Buffer.from('x'), createdAt: 1 })))
    const { rows } = await outbox.claim(request(10))
    expect(rows).toHaveLength(3)
    const record = (row: OutboxRow) => outbox.recordAttempt({ seq: row.seq, webhookId: row.webhookId, health: { ok: true, at: 10 }, claimId: null, status: 'delivered', at: 10, nextAttemptAt: 10, statusCode: 200, error: null, durationMs: 1, response: null })
    // Two close together: the table is unchanged until their batch commits, then both are delivered.
    const first = [record(rows[0]!), record(rows[1]!)]
    expect((await outbox.deliveries({ status: 'delivered', limit: 10 })).length).toBe(0)
    expect(await Promise.all(first)).toEqual([true, true])
    expect((await outbox.deliveries({ status: 'delivered', limit: 10 })).length).toBe(2)
    // A commit that fails: the third row's record is rejected and the row stays pending, due again.
    database.sqlite.exec(`CREATE TRIGGER refuse BEFORE UPDATE ON webhook_outbox BEGIN SELECT RAISE(ABORT, 'disk refused'); END`)
    await expect(record(rows[2]!)).rejects.toThrow('disk refused')
    database.sqlite.exec('DROP TRIGGER refuse')
    expect((await claimed(outbox, 20)).seqs).toEqual([rows[2]!.seq])
  })
})
