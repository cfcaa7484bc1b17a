// Stale sockets (docs/session-doctor.md, "Stale sockets"): a socket that stays open and carries nothing
// looks connected while the account receives nothing. Every frame from WhatsApp marks the socket alive;
// once one has been quiet for the `staleSocketSeconds` setting, it gets a ping that waits at most 5 s.
// An answer (any frame) proves it alive, so an idle healthy account is never dropped; no answer makes it
// stale, and the connection reconnects it at once. A send that WhatsApp never acknowledges asks for the
// same check straight away. The same check answers queries WhatsApp left unanswered too long
// (socket-timeouts.ts). Main process, Electron-free.

import { S_WHATSAPP_NET, type WASocket } from '@whiskeysockets/baileys'
import type { Logger } from '../logger'
import type { AccountRuntime, Runtimes } from './account-runtime'
import { createQueryWatch } from './socket-timeouts'

/** How long a liveness ping waits for WhatsApp's answer before the socket counts as stale. */
export const PROBE_TIMEOUT_MS = 5_000

export interface Liveness {
  /** Follows the socket's frames: each one marks it alive. */
  attach(rt: AccountRuntime, socket: WASocket, generation: number): void
  /** The socket opened: it counts as alive from now. */
  opened(rt: AccountRuntime): void
  /** Pings every open socket quiet for longer than the setting; ends queries waiting too long. */
  check(): void
  /** Pings this account's socket now, unless a ping is already out. */
  probe(rt: AccountRuntime): void
}

export function createLiveness(deps: {
  runtimes: Runtimes
  log: Logger
  now: () => number
  /** The staleSocketSeconds setting, read at each check so a change applies at once. */
  staleAfterMs: () => number
  /** The socket is stale: `silentMs` since its last frame. Replace it. */
  stale: (rt: AccountRuntime, silentMs: number) => void
  /** A ping was answered: the socket was only idle. */
  alive: (rt: AccountRuntime) => void
  /** How long a query may wait for WhatsApp's answer (socket-timeouts.ts). */
  queryMs: number
}): Liveness {
  const { runtimes, log, now } = deps
  const queries = createQueryWatch({ now, ms: deps.queryMs })

  function probe(rt: AccountRuntime): void {
    const socket = rt.socket
    if (!socket || !rt.open || rt.probing) return
    const generation = rt.generation
    rt.probing = true
    const sentAt = now()
    socket
      .query({ tag: 'iq', attrs: { to: S_WHATSAPP_NET, type: 'get', xmlns: 'w:p' }, content: [{ tag: 'ping', attrs: {} }] }, PROBE_TIMEOUT_MS)
      .then(
        () => {
          if (generation === rt.generation) deps.alive(rt)
        },
        (err: unknown) => {
          if (generation !== rt.generation || rt.socket !== socket || !rt.open) return
          // Any frame since the ping left (a message, a receipt) proves the socket alive as well.
          if (rt.lastFrameAt >= sentAt) return
          log.info({ account: rt.id, err: String(err) }, 'the socket carried nothing and a ping got no answer: stale')
          deps.stale(rt, now() - rt.lastFrameAt)
        },
      )
      .finally(() => {
        if (generation === rt.generation) rt.probing = false
      })
  }

  return {
    attach(rt, socket, generation) {
      queries.attach(socket.ws)
      socket.ws.on('frame', () => {
        if (generation === rt.generation) rt.lastFrameAt = now()
      })
    },
    opened(rt) {
      rt.lastFrameAt = now()
      rt.probing = false
    },
    check() {
      const quietMs = deps.staleAfterMs()
      const at = now()
      for (const rt of runtimes.all()) {
        if (rt.open && !rt.probing && at - rt.lastFrameAt >= quietMs) probe(rt)
        const unanswered = rt.socket ? queries.sweep(rt.socket.ws, at) : 0
        if (unanswered > 0) log.warn({ account: rt.id, queries: unanswered }, `WhatsApp left queries unanswered for ${deps.queryMs / 1000} s; they end with no answer`)
      }
    },
    probe,
  }
}
