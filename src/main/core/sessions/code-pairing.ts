// Pairing by phone-number code: the operator gives the number of the phone that owns the account, the
// account starts (or keeps its pairing socket), and Baileys asks WhatsApp for a code to type on that
// phone. A new call gives a new code. Main process, Electron-free. Never log codes.

import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { AccountBook } from './account-book'
import type { Runtimes } from './account-runtime'
import { isPaired, type Connection } from './connection'
import type { PairingStrategies } from './pairing'

export interface CodePairingDeps {
  book: AccountBook
  runtimes: Runtimes
  connection: Connection
  pairing: PairingStrategies
}

/** `phone`: digits in international format (the contract normalised them). */
export function createCodePairing(deps: CodePairingDeps): (id: AccountId, phone: string) => Promise<{ code: string; expiresAt: number }> {
  const { book, runtimes, connection, pairing } = deps
  return function pairByCode(id, phone) {
    return runtimes.serial(id, async () => {
      const current = book.record(id)
      const rt = runtimes.get(id)
      if (current.status === 'moved') {
        throw new AppError('conflict', `"${current.label}" was moved to ${current.movedTo?.target ?? 'another place'}: it is paired there, not here.`)
      }
      const auth = await runtimes.openAuth(rt)
      if (current.status === 'connected' || isPaired(auth.state.creds)) {
        throw new AppError('conflict', `"${current.label}" is already paired. Log it out first to pair it with another phone.`)
      }
      pairing.useCode(rt.pairing, phone)
      rt.pairing.requesting = true
      try {
        if (!rt.socket) {
          // Not running, or waiting for a retry: connect now rather than after the backoff.
          runtimes.clearRetry(rt)
          book.update(id, { wantRunning: true, lastError: null })
          rt.attempt = 0
          await connection.connect(rt).catch((error: unknown) => {
            connection.failed(rt, error)
            throw error
          })
        }
        await pairing.whenReady(rt.pairing)
        const socket = rt.socket
        if (!socket) throw new AppError('unavailable', 'The connection to WhatsApp closed before it was ready to pair. Try again.')
        return await pairing.requestCode(id, rt.pairing, socket)
      } finally {
        rt.pairing.requesting = false
      }
    })
  }
}
