// The door every command passes, on every transport: the caller's role against the command's declared
// role (403 forbidden, naming the role), an account-limited token against the accounts the input names
// (not-found, never forbidden, so it cannot probe which ids exist), the answer shaped for the caller
// (scope.ts), and one entry in the audit trail per command that answered, refusals included. Main
// process, Electron-free. The trail keeps the caller's name, the command, the account ids and other ids
// the input names (contract.ts: ACCOUNT_FIELDS, SUBJECT_FIELDS), how it ended and the server: never
// anything else of an input.

import {
  ACCOUNT_FIELDS,
  activityOf,
  commands,
  isCommandName,
  mayRun,
  ownerRouting,
  roleOf,
  SUBJECT_FIELDS,
  type BulkResult,
  type CommandName,
  type Result,
} from '../../../shared/contract'
import type { ErrorInfo } from '../../../shared/errors'
import { isAccountId, type AccountId } from '../../../shared/ids'
import type { CallRecord, Dispatch } from './dispatch'
import type { AuditTrail } from '../audit/audit-trail'
import { localCaller, sees, type Caller, type Identity } from '../access/caller'
import { runsWithoutNamedAccount, shapeAnswer } from '../access/scope'


/** The wording of an account nobody may see here: the same whether it exists elsewhere or not at all. */
export function noSuchAccount(id: string): ErrorInfo {
  return { code: 'not-found', message: `There is no account "${id}".` }
}

const ARTICLE: Record<string, string> = { viewer: 'a viewer', operator: 'an operator', admin: 'an admin' }

/** The account ids an input names, read off the fields the command declares as accounts (valid ids only). */
function namedAccounts(command: CommandName, input: unknown): AccountId[] {
  const fields = ACCOUNT_FIELDS.get(command)!
  const record = (input ?? {}) as Record<string, unknown>
  const out: AccountId[] = []
  for (const key of fields.one) if (isAccountId(record[key])) out.push(record[key])
  for (const key of fields.many) {
    const list = record[key]
    if (Array.isArray(list)) for (const id of list) if (isAccountId(id) && !out.includes(id)) out.push(id)
  }
  return out
}

function subjectOf(command: CommandName, input: unknown): string | null {
  const record = (input ?? {}) as Record<string, unknown>
  for (const key of SUBJECT_FIELDS.get(command)!) {
    const value = record[key]
    if (typeof value === 'string' && value.length <= 100) return value
  }
  return null
}

/** Why `identity` may not run this command with this input, or null. */
function refusal(command: CommandName, input: unknown, identity: Identity, named: readonly AccountId[]): ErrorInfo | null {
  if (!mayRun(identity.role, command)) {
    const needed = roleOf(command)
    return {
      code: 'forbidden',
      message: `${command} needs the ${needed} role; the token "${identity.name}" is ${ARTICLE[identity.role]} token. Ask an admin for ${ARTICLE[needed]} token.`,
    }
  }
  if (identity.accounts === null) return null
  const fields = ACCOUNT_FIELDS.get(command)!
  const record = (input ?? {}) as Record<string, unknown>
  // A single account it may not see: as if there were no such account.
  for (const key of fields.one) {
    const id = record[key]
    if (typeof id === 'string' && !sees(identity, id)) return noSuchAccount(id)
  }
  if (named.length === 0 && !runsWithoutNamedAccount(command)) {
    return {
      code: 'forbidden',
      message: `The token "${identity.name}" is limited to some accounts, and ${command} acts on every account (or adds one). Ask an admin for a token that sees every account.`,
    }
  }
  return null
}

export interface GuardOptions {
  /** Runs a command that passed the door: here, or forwarded to the server that runs its account. */
  route: Dispatch
  /** Null where no trail is kept (some tests). */
  audit: AuditTrail | null
}

export function guardedDispatch({ route, audit }: GuardOptions): Dispatch {
  async function record(command: CommandName, caller: Caller, accounts: readonly string[], result: Result<unknown>, subject: string | null): Promise<void> {
    await audit?.record({ actor: caller.identity.name, command, accounts, result: result.ok ? 'ok' : result.error.code, subject })
  }

  /**
   * A list of accounts (accounts:bulk) from a limited token: the ids it may not see answer as unknown
   * ids do (one not-found entry each), and the command runs for the others.
   */
  async function runWithin(command: CommandName, field: string, input: Record<string, unknown>, caller: Caller, call: CallRecord): Promise<Result<unknown>> {
    const ids = [...new Set(input[field] as AccountId[])]
    const inside = ids.filter((id) => sees(caller.identity, id))
    let answered: BulkResult[] = []
    if (inside.length > 0) {
      const result = await route(command, { ...input, [field]: inside }, caller, call)
      if (!result.ok) return result
      answered = result.value as BulkResult[]
    }
    const byId = new Map(answered.map((entry) => [entry.id, entry]))
    return { ok: true, value: ids.map((id) => byId.get(id) ?? { id, ok: false, error: noSuchAccount(id) }) }
  }

  return async function guarded(command, rawInput, caller = localCaller('api')) {
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 'not-found', message: `There is no command named "${command.length > 60 ? `${command.slice(0, 60)}…` : command}".` } }
    }
    const named = namedAccounts(command, rawInput)
    const subject = subjectOf(command, rawInput)
    const refused = refusal(command, rawInput, caller.identity, named)
    if (refused) {
      const result: Result<unknown> = { ok: false, error: refused }
      await record(command, caller, named, result, subject)
      return result
    }
    const call: CallRecord = { elsewhere: new Set() }
    let result: Result<unknown>
    const routing = ownerRouting(command)
    const parsed = caller.identity.accounts !== null ? commands[command].input.safeParse(rawInput ?? {}) : null
    if (parsed?.success && routing?.many) {
      result = await runWithin(command, routing.field, parsed.data as Record<string, unknown>, caller, call)
    } else if (parsed?.success && ACCOUNT_FIELDS.get(command)!.many.length > 0) {
      // Other lists of accounts (a telemetry watch): the ones it may not see are left out, as unknown ids are.
      const input = { ...(rawInput as Record<string, unknown>) }
      for (const key of ACCOUNT_FIELDS.get(command)!.many) {
        if (Array.isArray(input[key])) input[key] = (input[key] as string[]).filter((id) => sees(caller.identity, id))
      }
      result = await route(command, input, caller, call)
    } else {
      result = await route(command, rawInput, caller, call)
    }
    if (result.ok) result = { ok: true, value: shapeAnswer(command, result.value, caller.identity) }

    // A new account (accounts:add, an import) is named by the answer.
    const accounts = [...named]
    if (accounts.length === 0 && result.ok && activityOf(command)?.accounts === 'named') {
      const id = (result.value as { id?: unknown } | null)?.id
      if (isAccountId(id)) accounts.push(id)
    }
    const here = accounts.filter((id) => !call.elsewhere.has(id))
    // Wholly answered by other servers of the fleet: each recorded its part.
    if (here.length > 0 || call.elsewhere.size === 0) await record(command, caller, here, result, subject)
    return result
  }
}
