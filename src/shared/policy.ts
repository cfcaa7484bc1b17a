// The words a command or an event declares its policy in (contract.ts holds the declarations). Shared by
// every process: no electron, no node:*, no DOM. Every decision is a required key with no default, so a
// new command or event that forgets one does not compile; contract.test.ts walks them all as well.
// What each decision drives is said beside it; the lists derived from them are at the end of contract.ts.

import type { z } from 'zod'
import type { AccountId } from './ids'
import { MAX_BUNDLE_BYTES } from './channels'

/**
 * Who may ask: every caller holds a role (an API token's, or admin for the desktop's own window and the
 * CLI on a data dir), and the dispatcher refuses a command whose declared role is above it (403
 * forbidden, naming the role). docs/security.md, "Roles".
 * - viewer: reads lists, health, telemetry, activity and pairing state (never a QR payload, a linking
 *   code or message text: each declaration's `forViewer` holds those back);
 * - operator: also pairs, starts, stops, logs out, sends, reads received messages;
 * - admin: also removes, exports, imports, hands off, changes settings, webhooks, tokens and limits.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const
export type Role = (typeof ROLES)[number]

/** What each role may do, in the words a person choosing one reads (the Tokens settings, the CLI's help). */
export const ROLE_ABILITIES: Record<Role, string> = {
  viewer: 'reads lists, health, telemetry, activity and pairing state (no QR, linking code or message text)',
  operator: 'also pairs, starts, stops, logs out, sends and reads received messages',
  admin: 'also removes, exports, imports, hands off, and changes settings, webhooks and tokens',
}

/** Whether a caller holding `held` may run what needs `needed` (each role includes those before it). */
export function roleAllows(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed)
}

/**
 * What a viewer is shown of an answer or an event: the same value with what lets its holder link a
 * device or read messages taken out (a QR payload, a linking code, message text), or null when nothing
 * in it is held back. Only a viewer's copy is changed; operators and admins see the value as it is.
 */
export type ForViewer<T> = ((value: T) => T) | null

/** The keys of T whose values are account ids (or lists of them). */
type AccountField<T> = { [K in keyof T]-?: NonNullable<T[K]> extends AccountId ? K : never }[keyof T] & string
type AccountListField<T> = { [K in keyof T]-?: NonNullable<T[K]> extends readonly AccountId[] ? K : never }[keyof T] & string

/**
 * Where a fleet (servers sharing one PostgreSQL) runs a command:
 * - 'any-server': any server answers it alike (the shared database, or that server's own state);
 * - { owner: field }: it acts on the running socket or in-memory state of the account that input field
 *   names, so a server that does not run that account forwards it to the one that does;
 * - { owners: field }: the same for a list of accounts: each owner gets the part it runs, and the
 *   answer is one result per account ({ id, ok, … }), in the order given.
 */
export type FleetRouting<Parsed> = 'any-server' | { owner: AccountField<Parsed> } | { owners: AccountListField<Parsed> }

/**
 * The line a command writes into each account's activity log (who asked, and how it ended), or null for
 * none. `accounts`: 'named' writes one line for the account the input names (`id`), or, for a new one,
 * the answer names; 'results' writes one line per entry of a per-account answer ({ id, ok, error? }[]).
 */
export interface ActivityWording<Parsed> {
  kind: 'command' | 'transfer'
  accounts: 'named' | 'results'
  say: (input: Parsed) => string
}

/**
 * The HTTP body a command may send: 'standard' (1 MiB) or 'bundle' (a session bundle as base64 in its
 * `bundle` field, which the HTTP server hands over as bytes: contract.ts, BASE64_FIELDS).
 */
export const BODY_CLASSES = ['standard', 'bundle'] as const
export type BodyClass = (typeof BODY_CLASSES)[number]

/** Base64 of the largest bundle. */
export const MAX_BUNDLE_BASE64_CHARS = 4 * Math.ceil(MAX_BUNDLE_BYTES / 3)
export const BODY_LIMIT_BYTES: Readonly<Record<BodyClass, number>> = {
  standard: 1024 * 1024,
  // The base64 plus room for the JSON around it.
  bundle: MAX_BUNDLE_BASE64_CHARS + 64 * 1024,
}

/** The label of every input field, for error messages that do not name their field themselves. */
export type FieldLabels<Input> = { readonly [K in keyof Input]-?: string }

export interface CommandDeclaration<
  In extends z.ZodType = z.ZodType,
  Out extends z.ZodType = z.ZodType,
  Verb extends string | null = string | null,
  Fleet extends FleetRouting<z.output<In>> = FleetRouting<z.output<In>>,
> {
  input: In
  output: Out
  role: Role
  fleet: Fleet
  activity: ActivityWording<z.output<In>> | null
  body: BodyClass
  /** The `irish` CLI verb that runs it (src/main/cli/irish.ts must implement exactly these), or null. */
  cli: Verb
  fields: FieldLabels<z.input<In>>
  /** What a viewer is shown of the answer (see ForViewer); null for every command a viewer cannot run. */
  forViewer: ForViewer<z.output<Out>>
}

/**
 * Any command's declaration, as the registry holds them side by side (command() checks each one against
 * its own input first: that the routing field names an account, that every input field has a label).
 */
export interface AnyCommandDeclaration {
  input: z.ZodType
  output: z.ZodType
  role: Role
  fleet: 'any-server' | { owner: string } | { owners: string }
  activity: { kind: 'command' | 'transfer'; accounts: 'named' | 'results'; say: (input: never) => string } | null
  body: BodyClass
  cli: string | null
  fields: Readonly<Record<string, string>>
  forViewer: ((value: never) => unknown) | null
}

/** Declares a command: keeps its literal types (the CLI verb, the routing) and checks its decisions against its input. */
export function command<In extends z.ZodType, Out extends z.ZodType, const Verb extends string | null, const Fleet extends FleetRouting<z.output<In>>>(
  declaration: CommandDeclaration<In, Out, Verb, Fleet>,
): CommandDeclaration<In, Out, Verb, Fleet> {
  return declaration
}

export interface EventDeclaration<Payload extends z.ZodType = z.ZodType, Webhook extends boolean = boolean> {
  payload: Payload
  /** The payload field naming the account the event is about (its webhook ordering lane), or null. */
  account: AccountField<z.output<Payload>> | null
  /**
   * The payload field that names one occurrence when it may be reported twice (WhatsApp delivers a
   * message again after a restart or a failover), so a fleet reports it once and a webhook endpoint gets
   * it under one delivery id; null when every report is news. Needs `account`.
   */
  repeatsBy: (keyof z.output<Payload> & string) | null
  /** 'relay': every server of a fleet carries it on its stream; 'local': only the server it happened on. */
  fleet: 'relay' | 'local'
  /** Whether a webhook endpoint may subscribe to it. */
  webhook: Webhook
  /** What a person calls a stream of these events (the webhook form's checkboxes). */
  label: string
  /** What a viewer's event stream carries of it (see ForViewer). */
  forViewer: ForViewer<z.output<Payload>>
}

/** Any event's declaration, as the registry holds them side by side (event() checks each first). */
export interface AnyEventDeclaration {
  payload: z.ZodType
  account: string | null
  repeatsBy: string | null
  fleet: 'relay' | 'local'
  webhook: boolean
  label: string
  forViewer: ((value: never) => unknown) | null
}

export function event<Payload extends z.ZodType, const Webhook extends boolean>(declaration: EventDeclaration<Payload, Webhook>): EventDeclaration<Payload, Webhook> {
  return declaration
}
