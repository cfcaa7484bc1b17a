// The faults the simulator injects on request (README.md, "Faults on request"): their shapes, limits
// and the one parser both the admin API (`POST /fault`) and `Simulator.injectFault` use. A fault
// body is flat: `{ phone, kind, ...that kind's fields }`.

import { z } from 'zod'
import { AppError } from '../../shared/errors.js'
import { normalisePhone } from '../phone-pairing.js'
import { parse } from '../validate.js'

export const FAULT_KINDS = ['close', 'silence', 'bad-mac', 'reach-out-limit', 'lid'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

/**
 * The close codes a `close` fault takes. 401, 403, 440, 500, 503 and 515 are stanzas WhatsApp sends;
 * 408 (connection lost) and 428 (connection closed) are codes Baileys assigns itself, so the
 * simulator makes them happen: 408 by stalling the socket, 428 by dropping it without a word.
 */
export const FAULT_CLOSE_CODES = [401, 403, 408, 428, 440, 500, 503, 515] as const
export type FaultCloseCode = (typeof FAULT_CLOSE_CODES)[number]

export const MAX_SILENCE_SECONDS = 3600
export const MAX_REACH_OUT_SECONDS = 7 * 24 * 3600
export const MAX_BAD_MAC_COUNT = 1000

const phone = z.string({ message: 'phone is required: the account’s number, as digits' }).max(32, 'phone is at most 32 characters')
const seconds = (max: number) =>
  z
    .number({ message: 'seconds is required: a number of seconds' })
    .positive('seconds must be more than 0')
    .max(max, `seconds must be at most ${max}`)

const KindOnly = z.object({ kind: z.enum(FAULT_KINDS, { message: `kind must be one of ${FAULT_KINDS.join(', ')}` }) })

const FAULT_SCHEMAS = {
  close: z.strictObject({
    phone,
    kind: z.literal('close'),
    code: z.literal(FAULT_CLOSE_CODES, { message: `code must be one of ${FAULT_CLOSE_CODES.join(', ')}` }),
  }),
  silence: z.strictObject({ phone, kind: z.literal('silence'), seconds: seconds(MAX_SILENCE_SECONDS) }),
  'bad-mac': z.strictObject({
    phone,
    kind: z.literal('bad-mac'),
    count: z
      .number({ message: 'count is required: how many messages to spoil' })
      .int('count must be a whole number')
      .min(1, 'count must be at least 1')
      .max(MAX_BAD_MAC_COUNT, `count must be at most ${MAX_BAD_MAC_COUNT}`),
  }),
  'reach-out-limit': z.strictObject({
    phone,
    kind: z.literal('reach-out-limit'),
    seconds: seconds(MAX_REACH_OUT_SECONDS),
    /**
     * Whether WhatsApp tells the phone's companions when the limit starts and ends (the default). False
     * models a refusal the client learns of only from the 463 (README.md, "reach-out-limit").
     */
    announce: z.boolean({ message: 'announce must be true or false' }).optional(),
  }),
  lid: z
    .strictObject({
      phone,
      kind: z.literal('lid'),
      on: z.boolean({ message: 'on is required: true or false' }),
      /** Absent: the PN rides on each message. Present: it is left out, and a mapping follows this many seconds later. */
      mappingAfterSeconds: z
        .number({ message: 'mappingAfterSeconds must be a number of seconds' })
        .min(0, 'mappingAfterSeconds must be 0 or more')
        .max(MAX_SILENCE_SECONDS, `mappingAfterSeconds must be at most ${MAX_SILENCE_SECONDS}`)
        .optional(),
    })
    .refine((f) => f.on || f.mappingAfterSeconds === undefined, {
      message: 'mappingAfterSeconds only applies with on: true',
      path: ['mappingAfterSeconds'],
    }),
} as const

export type CloseFault = z.infer<(typeof FAULT_SCHEMAS)['close']>
export type SilenceFault = z.infer<(typeof FAULT_SCHEMAS)['silence']>
export type BadMacFault = z.infer<(typeof FAULT_SCHEMAS)['bad-mac']>
export type ReachOutLimitFault = z.infer<(typeof FAULT_SCHEMAS)['reach-out-limit']>
export type LidFault = z.infer<(typeof FAULT_SCHEMAS)['lid']>
export type Fault = CloseFault | SilenceFault | BadMacFault | ReachOutLimitFault | LidFault

/** What an injection did at once. */
export interface InjectedFault {
  /** The phone, as digits. */
  phone: string
  kind: FaultKind
  /** Live sockets of that phone the fault acted on now (close, silence); 0 for the other kinds. */
  sockets: number
  /** When a timed fault (silence, reach-out-limit) ends, ISO 8601; null for the others. */
  until: string | null
}

export interface ClearedFaults {
  phone: string
  /** The kinds that were active and are no longer. */
  cleared: FaultKind[]
}

/** Parses a flat fault body; the phone comes back as digits. Throws `invalid-input` naming the bad field. */
export function parseFault(value: unknown): Fault {
  const { kind } = parse(KindOnly, value)
  const fault: Fault = parse<Fault>(FAULT_SCHEMAS[kind], value)
  return { ...fault, phone: normalisePhone(fault.phone) }
}

export const ClearFaultsRequest = z.object({ phone })

/** The phone of a `DELETE /fault` body, as digits. */
export function parseClearFaults(value: unknown): string {
  return normalisePhone(parse(ClearFaultsRequest, value).phone)
}

export function unknownPhone(phone: string): AppError {
  return new AppError('not-found', `No simulated account for +${phone}: pair a device for it first.`)
}
