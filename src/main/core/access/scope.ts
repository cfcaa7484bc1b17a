// What a caller may see: an account-limited token sees only its accounts, and a viewer sees no QR
// payload, no linking code and no message text (docs/security.md, "Roles"). Main process, Electron-free.
// Which input fields name accounts and what a viewer is shown are each command's and event's declaration
// (contract.ts: ACCOUNT_FIELDS, forViewer); the answers listed below are the ones that carry several
// accounts and are filtered here for a limited token.

import {
  accountOf,
  eventForViewer,
  forViewerOf,
  type AccountKeyCounts,
  type AccountSummary,
  type CommandName,
  type CommandOutput,
  type EventMessage,
  type KeyCounts,
} from '../../../shared/contract'
import { sees, type Identity } from './caller'

type Sees = (id: string) => boolean

/** Answers about several accounts: an account-limited token gets the part about its own accounts. */
const FILTERED: { [C in CommandName]?: (value: CommandOutput<C>, sees: Sees) => CommandOutput<C> } = {
  'accounts:list': (list, sees) => list.filter((account: AccountSummary) => sees(account.id)),
  'accounts:send-stats': (stats, sees) => stats.filter((row) => sees(row.id)),
  'telemetry:ranking': (ranking, sees) => ({ ...ranking, rows: ranking.rows.filter((row) => sees(row.account)) }),
  'telemetry:key-counts': (overview, sees) => {
    const accounts = overview.accounts.filter((row: AccountKeyCounts) => sees(row.account))
    const totals: KeyCounts = {}
    for (const row of accounts) for (const [type, n] of Object.entries(row.counts)) totals[type] = (totals[type] ?? 0) + n
    return { totals, accounts }
  },
  'telemetry:watch': (answer, sees) => ({ ...answer, accounts: answer.accounts.filter((id) => sees(id)) }),
}

/** Answers about the server, not about accounts: any token may read them. */
const SERVER_WIDE: ReadonlySet<CommandName> = new Set(['simulator:info', 'settings:get', 'fleet:servers', 'tokens:whoami'])

/**
 * Whether an account-limited token may run `command` when the input names none of its accounts: only
 * when the answer is filtered to its accounts, or is about the server alone. Anything else acts on
 * every account or creates one (accounts:add), or sums over every account (telemetry without an account).
 */
export function runsWithoutNamedAccount(command: CommandName): boolean {
  return command in FILTERED || SERVER_WIDE.has(command)
}

/** The answer as `identity` is shown it: filtered to its accounts, without what a viewer must not see. */
export function shapeAnswer(command: CommandName, value: unknown, identity: Identity): unknown {
  let shaped = value
  const filter = FILTERED[command] as ((value: unknown, sees: Sees) => unknown) | undefined
  if (identity.accounts !== null && filter) shaped = filter(shaped, (id) => sees(identity, id))
  const forViewer = forViewerOf(command)
  if (identity.role === 'viewer' && forViewer) shaped = forViewer(shaped)
  return shaped
}

/**
 * The event as `identity`'s stream carries it, or null when it must not see it: an event about an
 * account it may not see, or (for a limited token) an event about no account, except the telemetry tick,
 * which keeps its points for the token's accounts.
 */
export function eventFor(identity: Identity, message: EventMessage): EventMessage | null {
  let shown = message
  if (identity.accounts !== null) {
    const account = accountOf(message.event, message.payload)
    if (account !== null) {
      if (!sees(identity, account)) return null
    } else if (message.event === 'telemetry:tick') {
      const own = (point: { account: string }): boolean => point.account !== '*' && sees(identity, point.account)
      const points = message.payload.points.filter(own)
      const cache = message.payload.cache.filter(own)
      if (points.length === 0 && cache.length === 0) return null
      shown = { event: 'telemetry:tick', payload: { ...message.payload, points, cache } }
    } else {
      return null
    }
  }
  const forViewer = eventForViewer(shown.event)
  if (identity.role === 'viewer' && forViewer) shown = { event: shown.event, payload: forViewer(shown.payload) } as EventMessage
  return shown
}
