// What to do when a Baileys socket closes, by the status code it closed with. Pure, so every branch
// is unit-tested without a socket. The codes are Baileys' DisconnectReason values.

export interface BackoffOptions {
  /** First retry delay. */
  baseMs: number
  /** The delay never grows past this. */
  maxMs: number
  factor: number
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 60_000, factor: 2 }

/**
 * Retries for a session that has never connected (an import, a replace): after these it fails with the
 * reason instead of retrying forever. Broken creds never connect; a working session with a network
 * outage at import time is started again by the operator. Sessions that did connect retry forever.
 */
export const MAX_RETRIES_BEFORE_FIRST_OPEN = 6

export type CloseDecision =
  /** 515 restart required (after pairing, and when the server asks): reconnect at once. */
  | { kind: 'restart' }
  /** A transient failure: try again after `delayMs`. */
  | { kind: 'retry'; delayMs: number }
  /** 401: the phone removed this device. Stop, clear the keys, never retry. */
  | { kind: 'logged-out' }
  /** 440: another client logged in with these credentials. Stop, never retry. */
  | { kind: 'replaced' }
  /** 408 while pairing: nobody scanned the QR codes in time. */
  | { kind: 'qr-expired' }
  /** A failure that retrying cannot fix. */
  | { kind: 'fatal'; message: string }

export interface CloseContext {
  /** Whether the account has ever completed pairing (creds.me is set). */
  paired: boolean
  /** Retries already made since the last successful open (0 for the first retry). */
  attempt: number
  /** False when this session has never opened here (imported, not yet connected): retries are bounded. */
  connectedBefore?: boolean
  backoff?: BackoffOptions
  /** [0, 1); injectable so tests are deterministic. */
  random?: () => number
  /**
   * The account's proxy refused or could not be reached: the code is the WebSocket's, not WhatsApp's.
   * Backed off like any connection failure, and never counted against broken creds or an expired QR.
   */
  proxyFailed?: boolean
}

export function decideOnClose(code: number | undefined, context: CloseContext): CloseDecision {
  if (context.proxyFailed) return { kind: 'retry', delayMs: backoffDelay(context.attempt, context.backoff, context.random) }
  switch (code) {
    case 515:
      return { kind: 'restart' }
    case 401:
      return { kind: 'logged-out' }
    case 440:
      return { kind: 'replaced' }
    case 403:
      return { kind: 'fatal', message: 'WhatsApp refused this account (403 forbidden).' }
    case 411:
      return { kind: 'fatal', message: 'WhatsApp reports a multi-device mismatch (411): pair the account again.' }
    case 408:
      // Baileys uses 408 both for "QR refs attempts ended" and for a lost connection.
      if (!context.paired) return { kind: 'qr-expired' }
      return retry(code, context)
    default:
      // 428 closed, 500 bad session, 503 unavailable, network errors without a code…
      return retry(code, context)
  }
}

function retry(code: number | undefined, context: CloseContext): CloseDecision {
  if (context.connectedBefore === false && context.attempt >= MAX_RETRIES_BEFORE_FIRST_OPEN) {
    return {
      kind: 'fatal',
      message:
        `This session has not connected once in ${context.attempt + 1} attempts (last: ${code ? `status ${code}` : 'closed without a status'}). ` +
        'Its credentials may be broken: export it again from a working copy, or pair the phone again.',
    }
  }
  return { kind: 'retry', delayMs: backoffDelay(context.attempt, context.backoff, context.random) }
}

/**
 * Exponential backoff with jitter: the delay for attempt n lies in [½·d, d] where
 * d = min(maxMs, baseMs·factorⁿ). The jitter keeps fifty accounts that lost the network together
 * from reconnecting in lock-step.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * options.factor ** Math.max(0, attempt))
  return Math.round(ceiling / 2 + (ceiling / 2) * random())
}
