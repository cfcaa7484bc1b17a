// The session doctor: what is wrong with each account, in words a person can act on
// (docs/session-doctor.md). The session code reports facts as they happen (a close and what the
// reconnect policy decided, a proxy that failed the connection, a stale socket, a decryption failure,
// a 463, a reach-out limit, a passkey step); the account book asks `derive` for the condition every time it stores a change, so the
// condition is always in step with the status. The doctor holds facts and counts in memory; the
// condition itself is stored with the account, and the facts that outlive a restart (logged out,
// banned, replaced, pairing expired, a reach-out limit) are taken back from it.
// Main process, Electron-free. Imports no socket code: sessions/ calls in, never the other way.

import type { AccountCondition, ConditionCode, DoctorCounts, PairingState } from '../../../shared/contract'
import { isRunningStatus } from '../../../shared/domain'
import type { AccountId } from '../../../shared/ids'
import type { ChosenPairingMethod } from '../../../shared/pairing'
import type { AccountRecord } from '../accounts/account-repository'
import { publishDecryptFailure, publishSendRefusal, publishStaleSocket, type SendRefusalReason } from './channels'
import { DecryptBook, DEFAULT_DECRYPT_OPTIONS, type DecryptOptions } from './decrypt-book'
import { automatic, CONDITION_WORDS, detail, startRefusal } from './words'

/** What the reconnect policy decided for a socket that closed (sessions/reconnect-policy.ts). */
export type CloseOutcome = 'restart' | 'retry' | 'logged-out' | 'replaced' | 'qr-expired' | 'fatal'

/** Conditions that hold until the operator acts: the account never starts by itself again. */
const ENDED = ['logged-out', 'banned', 'replaced', 'pairing-expired'] as const
type EndedCode = (typeof ENDED)[number]

export interface DoctorOptions {
  decrypt?: Partial<DecryptOptions>
  /**
   * After a 463 that came without the limit's end, how long texts to new contacts are refused here
   * before one is tried again (each refused attempt is another reach-out, which WhatsApp counts).
   */
  reachOutHoldMs?: number
}

export const DEFAULT_REACH_OUT_HOLD_MS = 15 * 60_000

interface Facts {
  ended: { code: EndedCode; at: number; closeCode: number | null; method: ChosenPairingMethod; stored: AccountCondition | null } | null
  connection: {
    code: 'unreachable' | 'server-error' | 'stale-socket' | 'proxy-unreachable'
    at: number
    closeCode: number | null
    attempt: number
    retrying: boolean
    silentMs: number
    /** The proxy that failed it (host and port only, never credentials), why, and when it is tried again. */
    proxy?: { host: string; why: string; retryInMs: number | null }
  } | null
  passkey: { phase: 'required' | 'confirm'; at: number } | null
  reachOut: { until: number; announced: boolean; at: number } | null
  decrypt: DecryptBook | null
  sendRefusals: number
  staleReconnects: number
  pingsAnswered: number
}

/** How a start may go ahead: as asked, or refused (the caller throws `conflict` with `message`). */
export type StartVerdict = { ok: true } | { ok: false; message: string }

export interface Doctor {
  /** The condition of the account as `record` is about to be stored (its `condition` is the one stored before). */
  derive(record: AccountRecord): AccountCondition | null

  /** A socket closed without the manager asking, and this is what the reconnect policy decided. */
  closed(id: AccountId, outcome: CloseOutcome, code: number | null, context: { attempt: number; method: ChosenPairingMethod }): void
  /**
   * The account's proxy failed the connection (docs/proxies-and-limits.md): it never connects directly,
   * and is tried through the proxy again in `retryInMs` (null: not retried).
   */
  proxyFailed(id: AccountId, failure: { host: string; why: string; retryInMs: number | null; closeCode: number | null; attempt: number }): void
  /** The account's proxy setting changed: the old proxy's failure no longer says anything. */
  proxyChanged(id: AccountId): void
  /** A socket opened: the connection's troubles are over. */
  opened(id: AccountId): void
  /** May this start go ahead? A logged-out, banned or replaced account needs `repair` (or, replaced, `takeBack`). */
  judgeStart(record: AccountRecord, options: { repair: boolean; takeBack: boolean }): StartVerdict
  /** A start went ahead: what held the account back no longer does. */
  started(id: AccountId): void
  /** The operator stopped it: the troubles of its connection end with it. */
  stopped(id: AccountId): void
  /** The operator logged it out here: whatever held it back is moot (a reach-out limit on the number stays). */
  cleared(id: AccountId): void
  forget(id: AccountId): void

  /** The pairing state's passkey step, or null when there is none. Returns whether it changed. */
  passkey(id: AccountId, phase: 'required' | 'confirm' | null): boolean
  /** The app found the socket stale (nothing for `silentMs`, a ping unanswered) and reconnects it. */
  staleSocket(id: AccountId, silentMs: number): void
  /** A liveness ping after a quiet spell was answered: the socket was idle, not dead. */
  pingAnswered(id: AccountId): void

  /** WhatsApp announced a reach-out limit (with its end) or lifted it. Returns whether anything changed. */
  reachOutLock(id: AccountId, lock: { active: boolean; until: number | null }): boolean
  /** WhatsApp answered a send with 463. Returns the limit as it now stands. */
  reachOutRefused(id: AccountId): { until: number; announced: boolean }
  /** The reach-out limit that holds now, if any: texts to new contacts are refused at once while it does. */
  reachOut(id: AccountId): { until: number; announced: boolean } | null
  sendRefused(id: AccountId, reason: SendRefusalReason): void

  /** A message failed to decrypt. Returns the device jids whose Signal sessions to reset now. */
  decryptFailed(id: AccountId, message: { id: string; sender: string; device: string | null }): string[]
  /** A message decrypted. Returns true when it was the resend of one that had failed. */
  decrypted(id: AccountId, message: { id: string; sender: string }): boolean

  /** Accounts whose condition may change with time alone (a limit ran out, a resend is overdue, a quiet period ended). */
  due(): AccountId[]
  counts(id: AccountId): DoctorCounts
  /** Decryption failures per account over the last `windowSeconds` (the telemetry ranking). */
  decryptFailuresSince(windowSeconds: number): Map<AccountId, number>
}

export function createDoctor(deps: {
  /** The condition stored with the account, to take back what outlives a restart. */
  stored: (id: AccountId) => AccountCondition | null | undefined
  now?: () => number
  options?: DoctorOptions
}): Doctor {
  const now = deps.now ?? Date.now
  const decryptOptions: DecryptOptions = { ...DEFAULT_DECRYPT_OPTIONS, ...deps.options?.decrypt }
  const holdMs = deps.options?.reachOutHoldMs ?? DEFAULT_REACH_OUT_HOLD_MS
  const facts = new Map<AccountId, Facts>()

  function factsOf(id: AccountId): Facts {
    let f = facts.get(id)
    if (f) return f
    f = { ended: null, connection: null, passkey: null, reachOut: null, decrypt: null, sendRefusals: 0, staleReconnects: 0, pingsAnswered: 0 }
    const stored = deps.stored(id) ?? null
    if (stored && (ENDED as readonly string[]).includes(stored.code)) {
      f.ended = { code: stored.code as EndedCode, at: stored.since, closeCode: null, method: 'qr', stored }
    } else if (stored?.code === 'reach-out-limited' && stored.until !== null && stored.until > now()) {
      f.reachOut = { until: stored.until, announced: true, at: stored.since }
    }
    facts.set(id, f)
    return f
  }

  function decryptOf(f: Facts): DecryptBook {
    f.decrypt ??= new DecryptBook(decryptOptions)
    return f.decrypt
  }

  /** The limit that holds now. Pure: an expired fact stays until due() hands its account a last refresh. */
  function activeReachOut(f: Facts): Facts['reachOut'] {
    return f.reachOut && f.reachOut.until > now() ? f.reachOut : null
  }

  function ended(f: NonNullable<Facts['ended']>): Omit<AccountCondition, 'since'> {
    if (f.stored) return f.stored
    const text = (() => {
      switch (f.code) {
        case 'logged-out':
          return detail.loggedOut(f.closeCode)
        case 'banned':
          return detail.banned()
        case 'replaced':
          return detail.replaced()
        case 'pairing-expired':
          return detail.pairingExpired(f.method)
      }
    })()
    return condition(f.code, text, null, null)
  }

  function derive(record: AccountRecord): AccountCondition | null {
    const f = factsOf(record.id)
    const at = now()
    const found = ((): { value: Omit<AccountCondition, 'since'>; since: number } | null => {
      if (f.ended) return { value: ended(f.ended), since: f.ended.at }
      if (f.passkey) return { value: condition('passkey-required', detail.passkey(f.passkey.phase), null, null), since: f.passkey.at }
      const c = f.connection
      if (c && (isRunningStatus(record.status) || (record.status === 'failed' && !c.retrying))) {
        if (c.code === 'proxy-unreachable' && c.proxy) {
          const doing = c.proxy.retryInMs === null ? null : automatic.proxyRetry(c.proxy.retryInMs)
          return { value: condition('proxy-unreachable', detail.proxy(c.proxy.host, c.proxy.why), null, doing), since: c.at }
        }
        if (c.code === 'stale-socket') {
          const doing = record.status === 'connected' ? null : automatic.reconnectingNow
          return { value: condition('stale-socket', detail.stale(c.silentMs), null, doing), since: c.at }
        }
        const doing = c.retrying ? automatic.retrying(c.attempt) : null
        const text = c.code === 'server-error' ? detail.serverError(c.closeCode) : detail.unreachable(c.closeCode, c.retrying)
        return { value: condition(c.code, text, null, doing), since: c.at }
      }
      const limit = activeReachOut(f)
      if (limit) {
        return { value: condition('reach-out-limited', detail.reachOut(limit.until, limit.announced), limit.until, automatic.reachOut(limit.until)), since: limit.at }
      }
      if (f.decrypt?.evaluate(at) && f.decrypt.shown) {
        return { value: condition('decrypt-failures', detail.decrypt(f.decrypt.shown), null, automatic.decrypt), since: f.decrypt.raisedAt ?? at }
      }
      return null
    })()
    if (!found) return null
    const previous = record.condition
    // The same condition going on keeps the moment it began.
    const since = previous?.code === found.value.code ? previous.since : found.since
    return { ...found.value, since }
  }

  return {
    derive,

    closed(id, outcome, code, context) {
      const f = factsOf(id)
      const at = now()
      switch (outcome) {
        case 'restart':
          return
        case 'retry': {
          const kind = code === 500 || code === 503 ? 'server-error' : 'unreachable'
          // A stale socket being replaced keeps its name until the new one opens or fails for a reason of its own.
          const since = f.connection?.code === kind ? f.connection.at : at
          f.connection = { code: kind, at: since, closeCode: code, attempt: context.attempt + 1, retrying: true, silentMs: 0 }
          return
        }
        case 'logged-out':
          f.ended = { code: 'logged-out', at, closeCode: code, method: context.method, stored: null }
          return
        case 'replaced':
          f.ended = { code: 'replaced', at, closeCode: code, method: context.method, stored: null }
          return
        case 'qr-expired':
          f.ended = { code: 'pairing-expired', at, closeCode: code, method: context.method, stored: null }
          return
        case 'fatal':
          if (code === 403) f.ended = { code: 'banned', at, closeCode: code, method: context.method, stored: null }
          else if (code === 411) f.ended = { code: 'logged-out', at, closeCode: code, method: context.method, stored: null }
          else f.connection = { code: 'unreachable', at, closeCode: code, attempt: context.attempt + 1, retrying: false, silentMs: 0 }
          return
      }
    },

    proxyFailed(id, failure) {
      const f = factsOf(id)
      const since = f.connection?.code === 'proxy-unreachable' ? f.connection.at : now()
      f.connection = {
        code: 'proxy-unreachable',
        at: since,
        closeCode: failure.closeCode,
        attempt: failure.attempt + 1,
        retrying: failure.retryInMs !== null,
        silentMs: 0,
        proxy: { host: failure.host, why: failure.why, retryInMs: failure.retryInMs },
      }
    },

    proxyChanged(id) {
      const f = factsOf(id)
      if (f.connection?.code === 'proxy-unreachable') f.connection = null
    },

    opened(id) {
      const f = factsOf(id)
      f.connection = null
      f.ended = null
      f.passkey = null
    },

    judgeStart(record, options) {
      const f = factsOf(record.id)
      const code = f.ended?.code
      if (code !== 'logged-out' && code !== 'banned' && code !== 'replaced') return { ok: true }
      if (options.repair || (code === 'replaced' && options.takeBack)) return { ok: true }
      return { ok: false, message: startRefusal(code, record.label) }
    },

    started(id) {
      const f = factsOf(id)
      f.ended = null
      f.connection = null
      f.passkey = null
    },

    stopped(id) {
      const f = factsOf(id)
      f.connection = null
      f.passkey = null
      f.decrypt = null
    },

    cleared(id) {
      const f = factsOf(id)
      f.ended = null
      f.connection = null
      f.passkey = null
      f.decrypt = null
    },

    forget(id) {
      facts.delete(id)
    },

    passkey(id, phase) {
      const f = factsOf(id)
      if ((f.passkey?.phase ?? null) === phase) return false
      f.passkey = phase === null ? null : { phase, at: f.passkey?.at ?? now() }
      return true
    },

    staleSocket(id, silentMs) {
      const f = factsOf(id)
      f.connection = { code: 'stale-socket', at: now(), closeCode: null, attempt: 0, retrying: false, silentMs }
      f.staleReconnects += 1
      publishStaleSocket({ account: id, silentMs })
    },

    pingAnswered(id) {
      factsOf(id).pingsAnswered += 1
    },

    reachOutLock(id, lock) {
      const f = factsOf(id)
      if (!lock.active) {
        // Whether it had run out already or not: the condition stored with the account may still show it.
        const had = f.reachOut !== null
        f.reachOut = null
        return had
      }
      if (lock.until === null || lock.until <= now()) return false
      if (f.reachOut?.until === lock.until && f.reachOut.announced) return false
      f.reachOut = { until: lock.until, announced: true, at: f.reachOut?.at ?? now() }
      return true
    },

    reachOutRefused(id) {
      const f = factsOf(id)
      const limit = activeReachOut(f)
      if (limit) return { until: limit.until, announced: limit.announced }
      const at = now()
      f.reachOut = { until: at + holdMs, announced: false, at }
      return { until: f.reachOut.until, announced: false }
    },

    reachOut(id) {
      const limit = activeReachOut(factsOf(id))
      return limit ? { until: limit.until, announced: limit.announced } : null
    },

    sendRefused(id, reason) {
      factsOf(id).sendRefusals += 1
      publishSendRefusal({ account: id, reason })
    },

    decryptFailed(id, message) {
      publishDecryptFailure({ account: id })
      return decryptOf(factsOf(id)).failed(message.id, message.sender, message.device, now())
    },

    decrypted(id, message) {
      return facts.get(id)?.decrypt?.decrypted(message.id, message.sender, now()) ?? false
    },

    due() {
      const out: AccountId[] = []
      const at = now()
      for (const [id, f] of facts) {
        // A limit that ran out is handed over once more, so the condition stored with it ends too.
        if (f.reachOut && f.reachOut.until <= at) f.reachOut = null
        else if (f.reachOut) {
          out.push(id)
          continue
        } else if (!f.decrypt?.pending()) continue
        out.push(id)
      }
      return out
    },

    counts(id) {
      const f = facts.get(id)
      const book = f?.decrypt
      return {
        decryptFailures: book?.failures ?? 0,
        decryptRecovered: book?.recovered ?? 0,
        decryptWaiting: book?.waitingCount() ?? 0,
        sessionResets: book?.resets ?? 0,
        failingSenders: book?.worstSenders(5) ?? [],
        sendRefusals: f?.sendRefusals ?? 0,
        staleReconnects: f?.staleReconnects ?? 0,
        pingsAnswered: f?.pingsAnswered ?? 0,
      }
    },

    decryptFailuresSince(windowSeconds) {
      const from = now() - windowSeconds * 1000
      const out = new Map<AccountId, number>()
      for (const [id, f] of facts) {
        const count = f.decrypt?.countSince(from) ?? 0
        if (count > 0) out.set(id, count)
      }
      return out
    },
  }
}

/** The passkey step a pairing state shows ('required', then 'confirm': docs/pairing.md), or null. */
export function passkeyPhase(state: PairingState): 'required' | 'confirm' | null {
  return state.passkey?.phase ?? null
}

function condition(code: ConditionCode, text: string, until: number | null, doing: string | null): Omit<AccountCondition, 'since'> {
  const words = CONDITION_WORDS[code]
  return { code, title: words.title, detail: text, remedy: words.remedy, until, automatic: doing }
}

/**
 * Whether two conditions differ in what a reader of the log or a webhook should hear about: the code,
 * the end, or the specifics. (The automatic action's attempt number changes with every retry: that is
 * `accounts:changed` news, not a new condition.)
 */
export function isNewCondition(before: AccountCondition | null, after: AccountCondition | null): boolean {
  if (before === null || after === null) return before !== after
  return before.code !== after.code || before.until !== after.until || before.detail !== after.detail
}

/** Whether anything of the condition changed (then the record is written and `accounts:changed` says so). */
export function sameCondition(a: AccountCondition | null, b: AccountCondition | null): boolean {
  if (a === null || b === null) return a === b
  return (
    a.code === b.code && a.title === b.title && a.detail === b.detail && a.remedy === b.remedy && a.since === b.since && a.until === b.until && a.automatic === b.automatic
  )
}
