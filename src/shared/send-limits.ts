// Send limits and the send queue, as the contract takes and shows them (docs/proxies-and-limits.md).
// Shared by every process: no electron, no node:*, no DOM. Limits are safety rails an operator sets to
// stay inside WhatsApp's terms: over a limit a send waits in a durable queue; nothing here delays or
// shapes a send to look human.

import { z } from 'zod'

export const LIMIT_KEYS = ['perMinute', 'perHour', 'perDay', 'newContactsPerDay', 'minGapMs'] as const
export type LimitKey = (typeof LIMIT_KEYS)[number]

/** The highest value each limit takes: above these a "limit" limits nothing and is a typo. */
export const LIMIT_MAXIMUMS: Readonly<Record<LimitKey, number>> = {
  perMinute: 1_000,
  perHour: 60_000,
  perDay: 1_000_000,
  newContactsPerDay: 100_000,
  minGapMs: 3_600_000,
}

const WORDS: Readonly<Record<LimitKey, string>> = {
  perMinute: 'messages per minute',
  perHour: 'messages per hour',
  perDay: 'messages per day',
  newContactsPerDay: 'new contacts per day',
  minGapMs: 'milliseconds between two sends',
}

/** What a person calls a limit: "messages per minute". */
export function limitWords(key: LimitKey): string {
  return WORDS[key]
}

/** 1000000 as "1,000,000". Not toLocaleString: its first call loads ICU's number data, about 16 ms of every start. */
function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+$)/g, ',')
}

function limitValue(key: LimitKey) {
  return z
    .number({ message: `Give the ${WORDS[key]} as a number, or null for no limit.` })
    .int(`Give the ${WORDS[key]} as a whole number.`)
    .min(1, `The ${WORDS[key]} is at least 1 (null for no limit).`)
    .max(LIMIT_MAXIMUMS[key], `The ${WORDS[key]} is at most ${grouped(LIMIT_MAXIMUMS[key])}; above that it limits nothing.`)
    .nullable()
}

/** The limits that apply to an account: each a number, or null for none. */
export const SendLimitsSchema = z.object({
  perMinute: limitValue('perMinute'),
  perHour: limitValue('perHour'),
  perDay: limitValue('perDay'),
  /** Sends to people the account never exchanged a message with, per day. */
  newContactsPerDay: limitValue('newContactsPerDay'),
  /** The least time between two sends of the account. */
  minGapMs: limitValue('minGapMs'),
})
export type SendLimits = z.infer<typeof SendLimitsSchema>

/** A change of limits: a number sets one, null removes it, a key left out keeps what is set. */
export const SendLimitsPatchSchema = SendLimitsSchema.partial().strict()
export type SendLimitsPatch = z.infer<typeof SendLimitsPatchSchema>

export const SEND_STATES = ['sent', 'queued'] as const
/** What became of a send in the end (the accounts:message-sent event). */
export const FINAL_SEND_STATES = ['sent', 'failed', 'cancelled'] as const

export const QueueEntrySchema = z.object({
  messageId: z.string(),
  /** The recipient's jid. */
  to: z.string(),
  /** When it is expected to go, by the limits as they stand and the entries ahead of it. Epoch ms. */
  sendAt: z.number(),
})
export type QueueEntry = z.infer<typeof QueueEntrySchema>

