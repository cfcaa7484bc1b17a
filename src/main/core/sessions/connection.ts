// One Baileys socket per running account: opening it, following its connection updates, and what to do
// when it closes (reconnect-policy.ts decides; this applies the decision) or goes stale (liveness.ts
// finds it; this replaces it). Every close, open and stale socket is told to the doctor first, so the
// status change that follows carries the right condition (core/doctor). Main process, Electron-free.
// Never log creds, keys or message contents.

import type makeWASocket from '@whiskeysockets/baileys'
import { Browsers, DisconnectReason, jidDecode, type AuthenticationCreds, type ConnectionState, type SocketConfig, type WASocket } from '@whiskeysockets/baileys'
import type { ILogger } from '@whiskeysockets/baileys/lib/Utils/logger'
import { AppError } from '../../../shared/errors'
import type { Contacts } from '../contacts/contact-book'
import type { Doctor } from '../doctor/doctor'
import { proxyLastError, staleLastError } from '../doctor/words'
import type { Logger } from '../logger'
import { openProxyRoute } from '../proxy/proxy-route'
import { platformTypeOf } from '../passkey/protocol'
import type { PasskeyLinker } from '../passkey/linker'
import type { AccountBook } from './account-book'
import type { AccountRuntime, Runtimes } from './account-runtime'
import type { Decryption } from './decryption'
import type { Liveness } from './liveness'
import type { Messaging } from './messaging'
import type { PairingStrategies } from './pairing'
import type { PasskeyPairing } from './passkey-pairing'
import { decideOnClose, type BackoffOptions, type CloseDecision } from './reconnect-policy'
import type { ServerAcks } from './server-acks'
import { durableReceipts, guardKeys } from './durable-receipts'
import { RunsElsewhereError } from './runs-elsewhere'
import { publishReconnect } from './session-channels'
import type { Admission } from './admission'
import { releaseClosedSocket } from './closed-socket'
import { closeError } from '../whatsapp/close-errors'
import { connectDeadline, NO_TIMER_PER_FRAME, type SocketTimeouts } from './socket-timeouts'
import { unreachableReason, type EndpointWatch } from '../whatsapp/endpoint-watch'

export interface ConnectionDeps {
  book: AccountBook
  runtimes: Runtimes
  pairing: PairingStrategies
  passkey: PasskeyPairing
  messaging: Messaging
  doctor: Doctor
  contacts: Contacts
  acks: ServerAcks
  decryption: Decryption
  liveness: Pick<Liveness, 'attach' | 'opened'>
  log: Logger
  socketConfig: () => Partial<SocketConfig>
  /** The account connected (its queue may send), and WhatsApp changed its reach-out limit. */
  onOpened?: (id: AccountRuntime['id']) => void
  onReachOut?: (id: AccountRuntime['id']) => void
  /** The account's whole proxy URL, opened from its sealed value at each connect; null connects directly. */
  proxyUrl: (id: AccountRuntime['id']) => Promise<string | null>
  makeSocket: typeof makeWASocket
  baileysLogger: ILogger
  backoff: BackoffOptions
  random: () => number
  now: () => number
  isShuttingDown: () => boolean
  /** How long WhatsApp may take to answer a new socket (socket-timeouts.ts). */
  connectTimeoutMs: SocketTimeouts['connectMs']
  /** At most so many handshakes in flight (admission.ts). */
  admission: Admission
  /** Told when sockets cannot reach the endpoint and when one opens (a simulator that went away and came back). */
  endpoint?: Pick<EndpointWatch, 'reached' | 'unreachable'>
}

export interface Connection {
  /** Opens a new socket for the account (its auth opened first), unless the manager shuts down. */
  connect(rt: AccountRuntime): Promise<void>
  /** Marks the account failed after an unexpected error, logging it where it happened. */
  failed(rt: AccountRuntime, error: unknown): void
  /** The socket carried nothing for `silentMs` and a ping got no answer: replaces it at once. */
  replaceStale(rt: AccountRuntime, silentMs: number): void
  /** An account waiting on its retry timer reconnects now (the endpoint is back). */
  retryNow(rt: AccountRuntime): void
}

type CloseError = Error & { output?: { statusCode?: number } }

export function createConnection(deps: ConnectionDeps): Connection {
  const { book, runtimes, pairing, messaging, doctor, log, now } = deps

  async function connect(rt: AccountRuntime): Promise<void> {
    if (deps.isShuttingDown()) return
    // Held from here until the socket first answers (open, a QR code, or close): see admission.ts.
    const release = await deps.admission.enter()
    try {
      if (deps.isShuttingDown()) return release()
      await open(rt, release)
    } catch (error) {
      release()
      throw error
    }
  }

  async function open(rt: AccountRuntime, release: () => void): Promise<void> {
    const auth = await runtimes.openAuth(rt)
    rt.contacts ??= await deps.contacts.open(rt.id)
    const generation = ++rt.generation
    pairing.reset(rt.pairing)
    rt.closingOnPurpose = false
    const creds = auth.state.creds
    if (isUnfinishedCodePairing(creds)) {
      // Baileys sets creds.me when it asks for a code; logging in with that would get a 401 and a wipe.
      // The code died with its socket, so this socket registers afresh and pairing starts over.
      creds.me = undefined
      creds.registered = false
      creds.pairingCode = undefined
      await auth.saveCreds()
    }
    const paired = isPaired(creds)
    // Read at every connect, so a change applies on the next one; a proxy that cannot be read fails the
    // start (storage-corrupt) rather than connecting directly.
    const proxyUrl = await deps.proxyUrl(rt.id)
    const route = proxyUrl ? await openProxyRoute(proxyUrl) : null
    rt.proxyRoute = route
    if (book.record(rt.id).status !== 'connecting') book.setStatus(rt.id, 'connecting')

    // Every message is recorded before Baileys' receipt for it leaves (durable-receipts.ts); when it
    // cannot be, the socket closes first (503: retried with backoff), so WhatsApp delivers it again.
    let opened: WASocket | null = null
    const abandon = (reason: string): void => {
      if (generation !== rt.generation || !opened) return
      log.warn({ account: rt.id, reason }, 'closing the connection: nothing is acknowledged that was not recorded')
      void opened.end(closeError(reason, DisconnectReason.unavailableService))
    }
    const receipts = durableReceipts(
      async (message) => {
        if (generation !== rt.generation || !opened) throw new AppError('unavailable', 'The socket that received this message was closed.')
        await messaging.onMessage(rt, opened, message)
      },
      () => (creds.me ? { id: creds.me.id, lid: creds.me.lid ?? '' } : null),
      abandon,
    )
    const config = {
      browser: Browsers.macOS('Desktop'),
      markOnlineOnConnect: false,
      syncFullHistory: false,
      shouldSyncHistoryMessage: () => false,
      // Baileys' per-frame and per-query timers are kept once per socket here instead (socket-timeouts.ts).
      ...NO_TIMER_PER_FRAME,
      ...deps.socketConfig(),
      makeSignalRepository: receipts.makeSignalRepository,
      // After the endpoint's settings: nothing given there can route around the proxy.
      ...(route?.socketConfig ?? {}),
      getMessage: (key: Parameters<NonNullable<SocketConfig['getMessage']>>[0]) => messaging.getMessage(rt, key),
      auth: { creds: auth.state.creds, keys: guardKeys(auth.state.keys, abandon) },
      logger: deps.baileysLogger,
    }
    const socket = deps.makeSocket(config)
    opened = socket
    // Until WhatsApp's first frame (its handshake answer); after it, Baileys' keep-alive watches the socket.
    const answered = connectDeadline((error) => {
      if (generation !== rt.generation) return
      log.info({ account: rt.id }, 'WhatsApp did not answer the connection in time; closing it')
      void socket.end(error)
    }, deps.connectTimeoutMs)
    socket.ws.once('frame', answered)
    receipts.watch(socket.ws)
    rt.socket = socket
    rt.open = false
    deps.liveness.attach(rt, socket, generation)
    deps.acks.attach(rt, socket, generation)
    deps.decryption.attach(rt, socket, generation)
    let resolveClosed!: () => void
    rt.socketClosed = new Promise<void>((resolve) => (resolveClosed = resolve))
    // The passkey check WhatsApp may ask for before pair-success; deviceType is what this socket registers
    // as. Only a socket that registers can see it: one that logs in with paired creds never does.
    rt.linker?.detach()
    rt.linker = null
    const linker: PasskeyLinker | null = paired ? null : deps.passkey.attach(rt, socket, platformTypeOf(config.browser), () => rt.linker === linker)
    rt.linker = linker

    socket.ev.on('creds.update', () => {
      auth.saveCreds().catch((error: unknown) => {
        log.error({ err: error, account: rt.id }, 'saving credentials failed')
        book.update(rt.id, { lastError: 'Saving the credentials failed. See the log.' })
      })
    })

    socket.ev.on('connection.update', (change) => {
      if (change.qr || change.connection === 'open' || change.connection === 'close') release()
      if (change.connection === 'close') {
        answered()
        // Resolved whatever the generation: quiesce() bumps it first and then waits for this.
        resolveClosed()
        route?.close()
        if (linker && rt.linker === linker) endPasskey(rt, linker, generation === rt.generation)
        // After Baileys' own close handling has run to its end (it emits this event from inside end()).
        setImmediate(() => releaseClosedSocket(socket))
      }
      if (generation !== rt.generation) return
      onConnectionUpdate(rt, socket, change, paired)
    })

    // Messages read ahead of their receipt are seen here a second time and skipped; others (what the
    // receipt path could not read) are reported now.
    socket.ev.on('messages.upsert', ({ messages }) => {
      if (generation !== rt.generation) return
      for (const message of messages) {
        messaging.onMessage(rt, socket, message)?.catch((err: unknown) => log.warn({ err, account: rt.id }, 'a received message could not be recorded'))
      }
    })

    socket.ev.on('lid-mapping.update', (mapping) => {
      if (generation === rt.generation) messaging.onLidMapping(rt, mapping)
    })
  }

  /**
   * The socket closed: a passkey check under way ends with it (the module puts back the adv secret it
   * replaced, so no pairing credential is kept). Said as the reason when WhatsApp or the network closed it.
   */
  function endPasskey(rt: AccountRuntime, linker: PasskeyLinker, current: boolean): void {
    const interrupted = current && linker.step() !== null && !rt.closingOnPurpose && !deps.isShuttingDown()
    if (interrupted) rt.pairing.passkeyError = 'The connection to WhatsApp closed before the passkey check was done (WhatsApp ends pairing about 160 seconds after the first QR code). Nothing was linked; start pairing again.'
    linker.detach()
    rt.linker = null
  }

  function onConnectionUpdate(rt: AccountRuntime, socket: WASocket, change: Partial<ConnectionState>, wasPaired: boolean): void {
    if (change.qr) {
      const askForCode = pairing.onQr(rt.pairing, change.qr)
      if (book.record(rt.id).status !== 'pairing') book.setStatus(rt.id, 'pairing')
      pairing.emit(rt.id, rt.pairing)
      if (askForCode) {
        pairing.requestCode(rt.id, rt.pairing, socket).catch((err: unknown) => log.warn({ err, account: rt.id }, 'asking for a new linking code failed'))
      }
    }
    if (change.reachoutTimeLock) {
      // WhatsApp announced (or lifted) a reach-out limit: texts to new contacts are refused until its end.
      const lock = change.reachoutTimeLock
      if (doctor.reachOutLock(rt.id, { active: Boolean(lock.isActive), until: lock.timeEnforcementEnds?.getTime() ?? null })) book.refreshCondition(rt.id)
      deps.onReachOut?.(rt.id)
    }
    if (change.connection === 'open') return onOpen(rt, socket)
    if (change.connection !== 'close') return

    rt.socket = null
    rt.open = false
    pairing.end(rt.pairing, true)
    if (rt.closingOnPurpose || deps.isShuttingDown()) return

    const error = change.lastDisconnect?.error as CloseError | undefined
    const code = error?.output?.statusCode
    const paired = wasPaired || Boolean(rt.auth && isPaired(rt.auth.state.creds))
    const connectedBefore = book.record(rt.id).lastConnectedAt !== null
    const proxyFailure = rt.proxyRoute?.failure() ?? null
    const decision = decideOnClose(code, { paired, attempt: rt.attempt, connectedBefore, backoff: deps.backoff, random: deps.random, proxyFailed: proxyFailure !== null })
    log.info({ account: rt.id, code, decision: decision.kind, proxyFailed: proxyFailure !== null }, 'connection closed')
    // A proxy's failure says nothing about the endpoint behind it.
    const unreachable = proxyFailure === null ? unreachableReason(error) : null
    if (unreachable) deps.endpoint?.unreachable(unreachable)
    book.update(rt.id, { lastDisconnectCode: code ?? null })
    if (proxyFailure !== null && rt.proxyRoute && decision.kind === 'retry') {
      const host = rt.proxyRoute.host
      doctor.proxyFailed(rt.id, { host, why: proxyFailure, retryInMs: decision.delayMs, closeCode: code ?? null, attempt: rt.attempt })
      onClose({ ...deps, reconnect, failed }, rt, decision, { code, error, lastError: proxyLastError(host, proxyFailure) })
      return
    }
    doctor.closed(rt.id, decision.kind, code ?? null, { attempt: rt.attempt, method: rt.pairing.method })
    onClose({ ...deps, reconnect, failed }, rt, decision, { code, error })
  }

  function onOpen(rt: AccountRuntime, socket: WASocket): void {
    rt.attempt = 0
    rt.open = true
    deps.liveness.opened(rt)
    // The proxy worked, if there is one; a reach-out limit is the number's and outlives the socket.
    doctor.opened(rt.id)
    deps.endpoint?.reached()
    pairing.end(rt.pairing, false)
    runtimes.clearRetry(rt)
    const me = socket.user
    const current = book.record(rt.id)
    // Only a phone-number JID names the phone; a LID (…@lid) in its place would be stored as a number nobody has.
    const decoded = me?.id ? jidDecode(me.id) : undefined
    const phone = decoded?.server === 's.whatsapp.net' ? (decoded.user ?? null) : null
    book.setStatus(rt.id, 'connected', {
      phone: phone ?? current.phone,
      name: me?.name ?? me?.verifiedName ?? current.name,
      pairedAt: current.pairedAt ?? now(),
      lastConnectedAt: now(),
      lastError: null,
    })
    deps.onOpened?.(rt.id)
  }

  function reconnect(rt: AccountRuntime): void {
    void runtimes.serial(rt.id, () => connect(rt)).catch((err: unknown) => failed(rt, err))
  }

  function failed(rt: AccountRuntime, error: unknown): void {
    if (error instanceof RunsElsewhereError) {
      // Another server of the fleet runs it: not a failure of the account, and not the operator's stop.
      log.info({ account: rt.id, reason: error.message }, 'not started here: another server runs the account')
      return
    }
    if (error instanceof AppError && error.code === 'unavailable' && book.exists(rt.id) && book.record(rt.id).wantRunning && !deps.isShuttingDown()) {
      // The database could not be reached (loading the creds, say): a reason to try again, with the
      // same backoff as a dropped connection, not to give the account up.
      log.warn({ account: rt.id, err: error.message }, 'starting the account failed for now; retrying')
      const record = book.record(rt.id)
      const decision = decideOnClose(503, { paired: record.pairedAt !== null, attempt: rt.attempt, connectedBefore: record.lastConnectedAt !== null, backoff: deps.backoff, random: deps.random })
      onClose({ ...deps, reconnect, failed }, rt, decision, { code: 503, error })
      return
    }
    log.error({ err: error, account: rt.id }, 'account failed')
    const message = error instanceof AppError ? error.message : 'The account could not be started. See the log.'
    if (book.exists(rt.id)) book.setStatus(rt.id, 'failed', { lastError: message, wantRunning: false })
  }

  function replaceStale(rt: AccountRuntime, silentMs: number): void {
    doctor.staleSocket(rt.id, silentMs)
    publishReconnect({ account: rt.id, code: null, decision: 'restart', reason: 'stale-socket' })
    rt.open = false
    book.setStatus(rt.id, 'reconnecting', { reconnectCount: book.record(rt.id).reconnectCount + 1, lastError: staleLastError(silentMs) })
    void runtimes
      .serial(rt.id, async () => {
        // Stopped (or already replaced by a close of its own and a retry) while this waited its turn.
        if (!runtimes.isRunning(rt)) return
        await runtimes.quiesce(rt)
        await connect(rt)
      })
      .catch((err: unknown) => failed(rt, err))
  }

  function retryNow(rt: AccountRuntime): void {
    if (!rt.retryTimer) return
    runtimes.clearRetry(rt)
    rt.nextRetryAt = null
    reconnect(rt)
  }

  return { connect, failed, replaceStale, retryNow }
}

/** Applies what the reconnect policy decided for a socket that closed without the manager asking. */
function onClose(
  deps: ConnectionDeps & { reconnect: (rt: AccountRuntime) => void; failed: (rt: AccountRuntime, error: unknown) => void },
  rt: AccountRuntime,
  decision: CloseDecision,
  close: { code: number | undefined; error: CloseError | undefined; lastError?: string },
): void {
  const { book, runtimes, pairing, now, reconnect, failed } = deps
  const { code, error } = close
  switch (decision.kind) {
    case 'restart':
      publishReconnect({ account: rt.id, code: code ?? null, decision: 'restart' })
      return reconnect(rt)
    case 'retry': {
      publishReconnect({ account: rt.id, code: code ?? null, decision: 'retry' })
      rt.attempt += 1
      rt.nextRetryAt = now() + decision.delayMs
      book.setStatus(rt.id, 'reconnecting', {
        reconnectCount: book.record(rt.id).reconnectCount + 1,
        lastError: close.lastError ?? describeClose(code, error),
      })
      rt.retryTimer = setTimeout(() => {
        rt.retryTimer = null
        rt.nextRetryAt = null
        reconnect(rt)
      }, decision.delayMs)
      rt.retryTimer.unref?.()
      return
    }
    case 'logged-out':
      void runtimes
        .serial(rt.id, async () => {
          const store = await runtimes.quiesce(rt)
          await store.clear()
          book.setStatus(rt.id, 'logged-out', {
            wantRunning: false,
            lastError: 'WhatsApp logged this device out (401). Its keys were deleted; pair it again to use it.',
          })
        })
        .catch((err: unknown) => failed(rt, err))
      return
    case 'replaced':
      book.setStatus(rt.id, 'replaced', {
        wantRunning: false,
        lastError: 'Another client logged in with this session (440) and took over. Start it here again only if the other copy is gone.',
      })
      return
    case 'qr-expired':
      book.setStatus(rt.id, 'failed', {
        wantRunning: false,
        lastError: pairing.expiredMessage(rt.pairing),
      })
      pairing.emit(rt.id, rt.pairing)
      return
    case 'fatal':
      book.setStatus(rt.id, 'failed', { wantRunning: false, lastError: decision.message })
      return
  }
}

/** A code was asked for and pairing never finished: creds.me is set, but there is no signed account. */
export function isUnfinishedCodePairing(creds: AuthenticationCreds): boolean {
  return Boolean(creds.pairingCode) && !creds.account
}

/** Whether these creds log in (rather than register): paired by QR or code, or imported. */
export function isPaired(creds: AuthenticationCreds): boolean {
  return Boolean(creds.me) && !isUnfinishedCodePairing(creds)
}

function describeClose(code: number | undefined, error: Error | undefined): string {
  const reason = code ? `status ${code}` : 'no status'
  // Boom messages from Baileys are short protocol phrases ("Connection Closed"); no secrets in them.
  return `The connection closed (${reason}${error?.message ? `: ${error.message}` : ''}). Retrying.`
}
