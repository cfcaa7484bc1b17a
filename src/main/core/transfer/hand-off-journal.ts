// The durable record of server-to-server hand-offs, one small JSON file each in <data-dir>/hand-offs,
// written atomically (temp file, fsync, rename) before the step it records is acted upon, so a process
// killed at any point finds on restart what it had promised. Main process, Electron-free.
//
// Outgoing (this server is the source): the account, the target's address and API token, whether the
// account was running, and the phase. The token is kept like the server's own api-token: in the data
// dir, mode 0600, and only until the hand-off settles; it is never logged.
// Incoming (this server is the target): the hand-off id, the account it imported, and its state. An
// aborted id stays as a tombstone so a late-arriving import with that id is refused, for an hour (an
// import request lives two minutes at most); a started one until the source says it will never ask
// about it again (the "forget" step); a pending one until it is confirmed or aborted.

import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

const HandOffIdSchema = z.string().regex(/^[0-9a-f-]{36}$/)

export const OutgoingSchema = z.object({
  id: HandOffIdSchema,
  accountId: z.string(),
  target: z.string(),
  token: z.string(),
  wasRunning: z.boolean(),
  /**
   * sending: the bundle may be on its way; confirming: the target has it, pending our confirmation;
   * forgetting: it runs at the target, which is being told it may drop its record (this side never asks
   * about the hand-off again, so the target's record cannot be needed).
   */
  phase: z.enum(['sending', 'confirming', 'forgetting']),
  createdAt: z.number(),
})
export type OutgoingHandOff = z.infer<typeof OutgoingSchema>

export const INCOMING_STATES = ['pending', 'started', 'aborted'] as const
export const IncomingSchema = z.object({
  id: HandOffIdSchema,
  accountId: z.string().nullable(),
  source: z.string(),
  state: z.enum(INCOMING_STATES),
  /** The import made a new account (an abort removes it) rather than replacing one (kept, stopped). */
  created: z.boolean(),
  at: z.number(),
})
export type IncomingHandOff = z.infer<typeof IncomingSchema>

export interface HandOffJournal {
  outgoing(): OutgoingHandOff[]
  saveOutgoing(record: OutgoingHandOff): void
  deleteOutgoing(id: string): void
  incoming(id: string): IncomingHandOff | null
  saveIncoming(record: IncomingHandOff): void
  deleteIncoming(id: string): void
  /** Deletes aborted records last written before `before`; returns how many. */
  pruneAborted(before: number): number
}

export function isHandOffId(value: string): boolean {
  return HandOffIdSchema.safeParse(value).success
}

export function openHandOffJournal(dir: string): HandOffJournal {
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  const file = (kind: 'out' | 'in', id: string): string => join(dir, `${kind}-${id}.json`)

  function write(path: string, value: unknown): void {
    const temp = `${path}.tmp`
    const fd = openSync(temp, 'w', 0o600)
    try {
      writeSync(fd, JSON.stringify(value))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(temp, path)
    // The rename itself must survive a power cut too.
    const dirFd = openSync(dir, 'r')
    try {
      fsyncSync(dirFd)
    } finally {
      closeSync(dirFd)
    }
  }

  function read<T>(path: string, schema: z.ZodType<T>): T | null {
    try {
      const parsed = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')))
      return parsed.success ? parsed.data : null
    } catch {
      return null
    }
  }

  return {
    outgoing() {
      return readdirSync(dir)
        .filter((name) => name.startsWith('out-') && name.endsWith('.json'))
        .flatMap((name) => {
          const record = read(join(dir, name), OutgoingSchema)
          return record ? [record] : []
        })
    },
    saveOutgoing(record) {
      write(file('out', record.id), record)
    },
    deleteOutgoing(id) {
      rmSync(file('out', id), { force: true })
    },
    incoming(id) {
      return isHandOffId(id) ? read(file('in', id), IncomingSchema) : null
    },
    saveIncoming(record) {
      write(file('in', record.id), record)
    },
    deleteIncoming(id) {
      if (isHandOffId(id)) rmSync(file('in', id), { force: true })
    },
    pruneAborted(before) {
      let pruned = 0
      for (const name of readdirSync(dir)) {
        if (!name.startsWith('in-') || !name.endsWith('.json')) continue
        const record = read(join(dir, name), IncomingSchema)
        if (record?.state === 'aborted' && record.at < before) {
          rmSync(join(dir, name), { force: true })
          pruned += 1
        }
      }
      return pruned
    },
  }
}
