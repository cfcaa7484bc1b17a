// The PostgreSQL outbox writer (outbox-writer.ts): a write that arrives just as a drain lets go is
// still written, without waiting for some later write to start the next drain, and settled() waits
// for that next drain too.

import { describe, expect, it } from 'vitest'
import type { Outbox, OutboxInsert } from './outbox'
import { createOutboxWriter } from './outbox-writer'

function recordingOutbox(): { outbox: Outbox; inserted: string[] } {
  const inserted: string[] = []
  const outbox = {
    kind: 'postgres',
    // In only after a turn of the event loop, as a round trip to the database is.
    enqueue: async (rows: OutboxInsert[]) => {
      await new Promise((resolve) => setImmediate(resolve))
      inserted.push(...rows.map((r) => (r as unknown as { id: string }).id))
    },
  } as unknown as Outbox
  return { outbox, inserted }
}

const row = (id: string): OutboxInsert => ({ id }) as unknown as OutboxInsert

describe('the outbox writer on PostgreSQL', () => {
  it('writes a row handed over right after a batch is in, before the drain that wrote it has let go', async () => {
    const { outbox, inserted } = recordingOutbox()
    const writer = createOutboxWriter(outbox, () => undefined)
    let second: void | Promise<void> = undefined
    let flushed: Promise<void> = Promise.resolve()
    // The first write's promise settles inside the drain; this then-callback runs before the drain lets
    // go, so settled() asked here must wait for the drain that the letting go starts.
    await writer.write([row('first')])!.then(() => {
      second = writer.write([row('second')])
      flushed = writer.settled()
    })
    await flushed
    expect(inserted).toEqual(['first', 'second'])
    await expect(second).resolves.toBeUndefined()
  })

  it('keeps the order of writes across batches', async () => {
    const { outbox, inserted } = recordingOutbox()
    const writer = createOutboxWriter(outbox, () => undefined)
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => writer.write([row(id)])))
    expect(inserted).toEqual(['a', 'b', 'c', 'd'])
  })
})
