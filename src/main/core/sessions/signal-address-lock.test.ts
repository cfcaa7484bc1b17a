// The lock against libsignal's own job queue (signal-address-lock.ts): two sockets that work on one
// sender's session at once each run their job in their own async context (where Baileys finds the
// socket's key-store transaction), not in the context of whichever started the queue first.

import { AsyncLocalStorage } from 'node:async_hooks'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import type { SignalRepositoryWithLIDStore } from '@whiskeysockets/baileys'
import { lockPerAddress, withSignalAddress } from './signal-address-lock'

/** libsignal's process-wide queue, the one its SessionCipher and SessionBuilder use. */
const queueJob = createRequire(import.meta.url)('libsignal/src/queue_job') as <T>(bucket: string, job: () => Promise<T>) => Promise<T>

/** A socket's transaction, as Baileys keeps it: one AsyncLocalStorage per socket. */
const transaction = new AsyncLocalStorage<string>()

/**
 * A repository whose decryption enters libsignal's queue for the sender's address, as Baileys' does;
 * the job notes the transaction it sees, and the first one waits until `release` is called.
 */
function repository(seen: string[], gate: { opened: Promise<void>; entered: () => void }): SignalRepositoryWithLIDStore {
  return {
    jidToSignalProtocolAddress: (jid: string) => `${jid.split('@')[0]}.0`,
    decryptMessage: () =>
      queueJob('100000000000007_1.0', async () => {
        seen.push(transaction.getStore() ?? 'none')
        gate.entered()
        await gate.opened
        return new Uint8Array()
      }),
    encryptMessage: async () => ({ type: 'msg', ciphertext: new Uint8Array() }),
    injectE2ESession: async () => undefined,
  } as unknown as SignalRepositoryWithLIDStore
}

/** Two sockets decrypt from one sender; the second asks while the first one's job is still running. */
async function twoAtOnce(wrap: (inner: SignalRepositoryWithLIDStore) => SignalRepositoryWithLIDStore): Promise<string[]> {
  const seen: string[] = []
  let open!: () => void
  let entered!: () => void
  const gate = { opened: new Promise<void>((resolve) => (open = resolve)), entered: () => entered() }
  const firstEntered = new Promise<void>((resolve) => (entered = resolve))
  const a = wrap(repository(seen, gate))
  const b = wrap(repository(seen, { opened: Promise.resolve(), entered: () => undefined }))
  const args = { jid: '100000000000007@lid', type: 'msg' as const, ciphertext: new Uint8Array() }
  const first = transaction.run('socket A', () => a.decryptMessage(args))
  await firstEntered
  const second = transaction.run('socket B', () => b.decryptMessage(args))
  open()
  await Promise.all([first, second])
  return seen
}

describe('one Signal operation per sender address at a time', () => {
  it("without the lock, libsignal runs the second socket's job in the first one's transaction (why the lock exists)", async () => {
    expect(await twoAtOnce((inner) => inner)).toEqual(['socket A', 'socket A'])
  })

  it('with the lock, each job runs in its own socket’s transaction', async () => {
    expect(await twoAtOnce((inner) => lockPerAddress(inner))).toEqual(['socket A', 'socket B'])
  })

  it('runs operations on one address one after another, in the order asked, whatever each ends in', async () => {
    const order: string[] = []
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const first = withSignalAddress('x.0', async () => {
      await held
      order.push('first')
      throw new Error('the first one fails')
    })
    const second = withSignalAddress('x.0', async () => void order.push('second'))
    const elsewhere = withSignalAddress('y.0', async () => void order.push('other address'))
    await elsewhere
    expect(order).toEqual(['other address'])
    release()
    await expect(first).rejects.toThrow('the first one fails')
    await second
    expect(order).toEqual(['other address', 'first', 'second'])
  })
})
