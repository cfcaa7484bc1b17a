// Whether the WhatsApp endpoint answers, for a server joined to a simulator (--simulator, or
// IRISH_WHATSAPP_URL): when sockets cannot reach it (the simulator's process went away), the log says so
// once, simulator:info carries it for the UI's banner, and a TCP probe every few seconds notices when it
// is back, so every account waiting on its retry reconnects at once rather than after its backoff (up to
// a minute). Only for an endpoint override: real WhatsApp is never probed. Main process, Electron-free.

import { connect } from 'node:net'
import type { Logger } from '../logger'

export interface EndpointDown {
  /** When the first socket failed to reach it (epoch ms). */
  since: number
  /** The system error: ECONNREFUSED, ECONNRESET… */
  reason: string
}

export interface EndpointWatch {
  /** A socket could not reach the endpoint (`reason` as in EndpointDown). */
  unreachable(reason: string): void
  /** A socket opened: the endpoint answers. */
  reached(): void
  /** Null while the endpoint answers. */
  down(): EndpointDown | null
  close(): void
}

const UNREACHABLE = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|ENOTFOUND|EAI_AGAIN)\b/

/** The system error behind a socket's close when it never reached the endpoint, or null. */
export function unreachableReason(error: unknown): string | null {
  const data = (error as { data?: { code?: unknown } } | undefined)?.data
  if (typeof data?.code === 'string' && UNREACHABLE.test(data.code)) return data.code
  const message = error instanceof Error ? error.message : ''
  return UNREACHABLE.exec(message)?.[1] ?? null
}

export interface EndpointWatchOptions {
  url: string
  logger: Logger
  /** Called once the endpoint answers again: retry every account that waits. */
  onBack: () => void
  probeEveryMs?: number
  now?: () => number
}

export function createEndpointWatch(options: EndpointWatchOptions): EndpointWatch {
  const now = options.now ?? Date.now
  const log = options.logger.child({ component: 'whatsapp-endpoint' })
  const target = new URL(options.url.replace(/^ws/, 'http'))
  const port = Number(target.port || (target.protocol === 'https:' ? 443 : 80))
  const host = target.hostname.replace(/^\[|\]$/g, '')
  let state: EndpointDown | null = null
  let probe: NodeJS.Timeout | null = null
  let probing = false

  function back(how: string): void {
    if (!state) return
    log.info({ url: options.url, downForMs: now() - state.since }, `the WhatsApp simulator at ${options.url} answers again (${how}); reconnecting its accounts`)
    state = null
    stopProbe()
  }

  function stopProbe(): void {
    if (probe) clearInterval(probe)
    probe = null
  }

  function tryOnce(): void {
    if (probing) return
    probing = true
    const socket = connect({ host, port })
    const done = (answered: boolean): void => {
      socket.destroy()
      probing = false
      if (answered && state) {
        back('probe')
        options.onBack()
      }
    }
    socket.setTimeout(2_000, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  }

  return {
    unreachable(reason) {
      if (state) return
      state = { since: now(), reason }
      log.warn(
        { url: options.url, reason },
        `the WhatsApp simulator at ${options.url} cannot be reached (${reason}); its accounts reconnect by themselves when it is back`,
      )
      probe = setInterval(tryOnce, options.probeEveryMs ?? 2_000)
      probe.unref()
    },
    reached() {
      back('an account connected')
    },
    down: () => state,
    close: stopProbe,
  }
}
