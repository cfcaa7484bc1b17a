// The hand-off journal on disk: records survive reopening, a started record can be dropped, and aborted
// tombstones are pruned once older than their window while pending and started ones never are.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openHandOffJournal, type IncomingHandOff } from './hand-off-journal'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function journalDir(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'irish-hand-offs-')), 'hand-offs')
  dirs.push(dirname(dir))
  return dir
}

const id = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

function incoming(n: number, state: IncomingHandOff['state'], at: number): IncomingHandOff {
  return { id: id(n), accountId: state === 'aborted' ? null : `acc-${n}`, source: 'source-instance', state, created: true, at }
}

describe('hand-off journal', () => {
  it('prunes aborted tombstones older than the cut-off, and never a pending or started record', () => {
    const dir = journalDir()
    const journal = openHandOffJournal(dir)
    journal.saveIncoming(incoming(1, 'aborted', 1_000))
    journal.saveIncoming(incoming(2, 'aborted', 5_000))
    journal.saveIncoming(incoming(3, 'pending', 1_000))
    journal.saveIncoming(incoming(4, 'started', 1_000))
    expect(journal.pruneAborted(2_000)).toBe(1)
    expect(journal.incoming(id(1))).toBeNull()
    expect(journal.incoming(id(2))).toMatchObject({ state: 'aborted' })
    expect(journal.incoming(id(3))).toMatchObject({ state: 'pending' })
    expect(journal.incoming(id(4))).toMatchObject({ state: 'started' })
    // Reopened (a restart): the same records.
    expect(openHandOffJournal(dir).incoming(id(4))).toMatchObject({ state: 'started' })
  })

  it('drops a record by id, and leaves nothing behind', () => {
    const dir = journalDir()
    const journal = openHandOffJournal(dir)
    journal.saveIncoming(incoming(7, 'started', 1_000))
    journal.saveOutgoing({ id: id(8), accountId: 'acc-8', target: 'https://b.example', token: 't', wasRunning: true, phase: 'forgetting', createdAt: 1 })
    journal.deleteIncoming(id(7))
    journal.deleteOutgoing(id(8))
    expect(readdirSync(dir)).toEqual([])
  })
})
