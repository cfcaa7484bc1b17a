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
import { LANE_READ_AHEAD } from './sqlite-lane-heads'

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
  // Reading one row ahead per lane, two, and the default: lanes that know their next rows, lanes that
  // reach the cap and read the rest from the table, and lanes that know their end.
  it.each([1, 2, LANE_READ_AHEAD])('claims what a fresh read of the table would after every kind of change, reading %i rows ahead', async (readAhead) => {
    const outbox = createSqliteOutbox(database.sqlite, { laneReadAhead: readAhead })
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
        const rows = Array.from({ length: 1 + Math.floor(random() * 4) }, () => ({
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

  it("writes each endpoint's health as its attempts leave it, in their order, within a commit and across commits", async () => {
    const outbox = createSqliteOutbox(database.sqlite)
    await addWebhooks(outbox)
    database.sqlite.exec("UPDATE webhooks SET failures_in_a_row = 3, last_error = 'HTTP 503'")
    outbox.enqueue(
      ['wh-a', 'wh-b'].flatMap((webhookId) => LANES.map((lane) => ({ deliveryId: `${webhookId}-${lane}`, webhookId, lane, event: 'accounts:message', payload: Buffer.from('x'), createdAt: 1 }))),
    )
    const { rows } = await outbox.claim(request(10))
    const [a1, a2, a3] = rows.filter((row) => row.webhookId === 'wh-a')
    const [b1, b2, b3] = rows.filter((row) => row.webhookId === 'wh-b')
    const record = (row: OutboxRow | undefined, at: number, error: string | null) =>
      outbox.recordAttempt({
        seq: row!.seq,
        webhookId: row!.webhookId,
        health: error === null ? { ok: true, at } : { ok: false, error },
        claimId: null,
        status: error === null ? 'delivered' : 'pending',
        at,
        nextAttemptAt: at + 1000,
        statusCode: error === null ? 200 : 500,
        error,
        durationMs: 1,
        response: null,
      })
    const health = () => database.sqlite.prepare('SELECT id, last_success_at AS lastSuccessAt, failures_in_a_row AS failures, last_error AS lastError FROM webhooks ORDER BY id').all()
    // One commit: wh-a succeeds, then fails twice; wh-b fails, then succeeds.
    await Promise.all([record(a1, 11, null), record(b1, 12, 'HTTP 500'), record(a2, 13, 'HTTP 502'), record(b2, 14, null), record(a3, 15, 'no answer within 10 s')])
    expect(health()).toEqual([
      { id: 'wh-a', lastSuccessAt: 11, failures: 2, lastError: 'no answer within 10 s' },
      { id: 'wh-b', lastSuccessAt: 14, failures: 0, lastError: null },
    ])
    // A later commit adds its failures to those in a row before it.
    await record(b3, 20, 'HTTP 504')
    await record(a1, 21, 'HTTP 500')
    expect(health()).toEqual([
      { id: 'wh-a', lastSuccessAt: 11, failures: 3, lastError: 'HTTP 500' },
      { id: 'wh-b', lastSuccessAt: 14, failures: 1, lastError: 'HTTP 504' },
    ])
  })
})
