// Every sentence the doctor says: a condition's title, detail, remedy and automatic action, why a start
// or a send is refused, and the activity log's lines about conditions. One home for the words, so the
// API, the UI, the webhooks and the log say the same thing (docs/session-doctor.md).
// Main process, Electron-free. Never put message text, keys or tokens in a sentence.

import type { ConditionCode } from '../../../shared/contract'
import type { ChosenPairingMethod } from '../../../shared/pairing'

/** A moment as every reader gets it alike, whatever their time zone: "2026-05-01 14:32 UTC". */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`
}

/** A duration in whole seconds or minutes: "47 s", "12 min". */
export function formatSeconds(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000))
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`
}

/** A phone number as digits, or a jid, as a person reads it: "+15551234567", or the LID as is. */
export function formatSender(jidOrDigits: string): string {
  const [user = '', server] = jidOrDigits.split('@')
  const bare = user.split(':')[0] ?? user
  if (server === 'lid') return `${bare}@lid`
  return /^\d+$/.test(bare) ? `+${bare}` : jidOrDigits
}

/** What each condition is called, and what to do about it, whatever its specifics. */
export const CONDITION_WORDS: Readonly<Record<ConditionCode, { title: string; remedy: string }>> = {
  'logged-out': {
    title: 'Logged out by WhatsApp',
    remedy: 'Re-pair it: start it with "Re-pair" and scan the new QR code (or type the code) on the phone.',
  },
  banned: {
    title: 'Banned by WhatsApp',
    remedy: 'Check the number in the WhatsApp app on the phone (an appeal goes through there). Once it works again, re-pair it.',
  },
  replaced: {
    title: 'Replaced by another client',
    remedy: 'Stop the other copy, then take the session back here; or re-pair it, which makes this one a new linked device.',
  },
  unreachable: {
    title: 'Cannot reach WhatsApp',
    remedy: "Usually nothing: the app keeps retrying. If it lasts, check this server's network and the endpoint in Settings; restart it to try at once.",
  },
  'server-error': {
    title: 'WhatsApp server error',
    remedy: 'Usually nothing: the app keeps retrying. If it lasts for hours, re-pair it (a 500 can mean the session is damaged on WhatsApp’s side).',
  },
  'stale-socket': {
    title: 'Connection went silent',
    remedy: 'Nothing: the app reconnects it. If it keeps happening, check the network between this server and WhatsApp (a proxy or NAT that drops idle connections).',
  },
  'decrypt-failures': {
    title: 'Messages fail to decrypt',
    remedy:
      'Usually nothing: the senders’ phones send them again. If one sender keeps failing, ask them to send again; if every sender fails, re-pair this account.',
  },
  'reach-out-limited': {
    title: 'Limited to known contacts',
    remedy: 'Wait until the limit ends; until then write only to contacts this number has exchanged messages with. Texts to new contacts would only make it longer.',
  },
  'pairing-expired': {
    title: 'Pairing expired',
    remedy: 'Start it again for a new QR code (or ask for a new code), with the phone at hand.',
  },
  'passkey-required': {
    title: 'Passkey check needed',
    remedy: 'Open the pairing dialog and complete the passkey step on the phone’s account.',
  },
  'proxy-unreachable': {
    title: 'Proxy unreachable',
    remedy: 'Check that the proxy runs, and its address and credentials (Set proxy…); or clear the proxy to connect directly. The account never falls back to a direct connection by itself.',
  },
}

const CLOSE_WORDS: Readonly<Record<number, string>> = {
  401: 'the phone unlinked this device, or WhatsApp ended its session',
  408: 'the connection timed out',
  411: 'WhatsApp reports a multi-device mismatch',
  428: 'the connection closed',
  440: 'another client logged in with the same session',
  500: 'WhatsApp reports a bad session',
  503: 'WhatsApp’s service is unavailable',
}

function closeReason(code: number | null): string {
  if (code === null) return 'the connection dropped without a status'
  return `${CLOSE_WORDS[code] ?? 'the connection closed'} (${code})`
}

export const detail = {
  loggedOut: (code: number | null) => `WhatsApp logged this device out: ${closeReason(code ?? 401)}. Its keys were deleted, so only a new pairing brings it back.`,
  banned: () => 'WhatsApp refused this number (403): it is banned or may not link devices. Every login is refused; the app does not retry.',
  replaced: () =>
    'Another client logged in with this session (440) and took it over: the same keys run somewhere else (a copy of a bundle, another server). The app does not retry.',
  pairingExpired: (method: ChosenPairingMethod) =>
    method === 'code' ? 'Nobody entered the linking code on the phone before it expired.' : 'Nobody scanned the QR code before the last one expired.',
  unreachable: (code: number | null, retrying: boolean) =>
    retrying
      ? `The connection to WhatsApp failed: ${closeReason(code)}.`
      : `The session never connected here and the app stopped retrying (last: ${closeReason(code)}). Its credentials may be broken.`,
  serverError: (code: number | null) => `WhatsApp closed the connection: ${closeReason(code)}.`,
  stale: (silentMs: number) =>
    `The socket stayed open but nothing came from WhatsApp for ${formatSeconds(silentMs)}, and a ping got no answer within 5 s: the connection was dead while it looked connected.`,
  decrypt: (facts: { failures: number; windowMinutes: number; waiting: number; worst: string | null; resets: string[] }) => {
    const parts = [
      `${facts.failures} ${facts.failures === 1 ? 'message' : 'messages'} failed to decrypt in the last ${facts.windowMinutes} minutes (Bad MAC or no matching session)` +
        (facts.worst ? `, most from ${facts.worst}` : '') +
        '.',
    ]
    if (facts.waiting > 0) parts.push(`${facts.waiting} still ${facts.waiting === 1 ? 'waits' : 'wait'} for the sender to send again.`)
    if (facts.resets.length > 0) parts.push(`The Signal session with ${facts.resets.join(', ')} was reset, so the next message sets up a new one.`)
    return parts.join(' ')
  },
  reachOut: (until: number, announced: boolean) =>
    announced
      ? `WhatsApp refuses this number’s messages to new contacts until ${formatUtc(until)} (a reach-out limit, error 463). Contacts it has exchanged messages with still get them.`
      : `WhatsApp refused a message to a new contact (error 463) and did not say for how long. Texts to new contacts are refused here until ${formatUtc(until)}, then tried again; known contacts still get them.`,
  proxy: (host: string, why: string) => `The proxy ${host} failed the connection: ${why}. The account does not connect without it.`,
  passkey: (phase: 'required' | 'confirm') =>
    phase === 'confirm'
      ? 'Linking waits for the confirmation code of the passkey step to be checked on the phone.'
      : 'Linking this device needs a passkey check for the phone’s WhatsApp account before it can finish.',
}

export const automatic = {
  retrying: (attempt: number) => `Reconnecting with backoff (attempt ${attempt})`,
  reconnectingNow: 'Reconnecting now',
  decrypt: 'Asking the senders to send again (retry receipts), and resetting the session of a sender whose messages keep failing',
  reachOut: (until: number) => `Refusing texts to new contacts until ${formatUtc(until)}, without asking WhatsApp`,
  proxyRetry: (ms: number) => `Trying the proxy again in ${Math.max(1, Math.round(ms / 1000))} s`,
}

/** Why a plain start is refused, and how to ask for what the operator may want instead. */
export function startRefusal(code: 'logged-out' | 'banned' | 'replaced', label: string): string {
  switch (code) {
    case 'logged-out':
      return `"${label}" was logged out by WhatsApp and its keys are gone: starting it means pairing it again with the phone. Re-pair it ("Re-pair", or accounts:start with repair: true).`
    case 'banned':
      return `"${label}" is banned by WhatsApp (403): every login is refused, so it is not started. Once the number works again in the WhatsApp app, re-pair it ("Re-pair", or accounts:start with repair: true).`
    case 'replaced':
      return `Another client took over "${label}" (440). Starting it here takes the session back and stops that client: if the other copy is gone or unwanted, take it back (accounts:start with takeBack: true); or re-pair it as a new linked device (repair: true).`
  }
}

export function repairRefusal(label: string): string {
  return `"${label}" has a working session: re-pairing would throw its keys away. Log it out first if that is what you want.`
}

/** A send refused because of a reach-out limit (WhatsApp's 463, or the app's own refusal while one holds). */
export function reachOutRefusal(to: string, until: number, announced: boolean): string {
  return announced
    ? `WhatsApp refuses this number’s messages to new contacts until ${formatUtc(until)} (a reach-out limit, error 463): nothing was sent to ${to}. Contacts it has exchanged messages with still get them.`
    : `WhatsApp refuses this number’s messages to new contacts for now (error 463) and did not say until when: nothing was sent to ${to}. Texts to new contacts are refused here until ${formatUtc(until)}; known contacts still work.`
}

export const UNANSWERED_LOOKUP =
  'WhatsApp did not answer within 5 s, so nothing was sent. The app is checking the connection; send it again once the account shows connected.'

export const UNCONFIRMED_SEND =
  'WhatsApp did not confirm the text within 5 s, so it may not have arrived. The app is checking the connection; send it again once the account shows connected.'

export const CLOSED_DURING_LOOKUP =
  'The connection to WhatsApp closed before it answered, so nothing was sent. It reconnects by itself; send it again once the account shows connected.'

export const CLOSED_DURING_SEND =
  'The connection to WhatsApp closed while the text was being sent, so it may not have arrived. It reconnects by itself; send it again once the account shows connected.'

/** The account's lastError while a stale socket is replaced. */
export function staleLastError(silentMs: number): string {
  return `Nothing came from WhatsApp for ${formatSeconds(silentMs)} and a ping got no answer within 5 s: reconnecting.`
}

/** The activity log's line for a condition that began or changed (`title: detail`), or ended. */
export function conditionLine(change: { title: string; detail: string } | null, previous: ConditionCode | null): string {
  if (change) return `${change.title}: ${change.detail}`
  return previous ? `Resolved: ${CONDITION_WORDS[previous].title}` : 'Resolved'
}

export function sessionResetLine(sender: string, failures: number): string {
  return `Reset the Signal session with ${sender} after ${failures} messages in a row from it failed to decrypt`
}

/** The account's last error when its proxy failed it (the condition says more). */
export function proxyLastError(host: string, why: string): string {
  return `The proxy ${host} failed the connection (${why}). Retrying through it; never connecting directly.`
}
