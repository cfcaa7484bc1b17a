// Any server of a fleet answers every command: one about an account another server runs is forwarded to
// that server's advertised URL with the caller's own token, so the server that runs it checks the same
// identity (role, accounts) and records it in the audit trail as the caller. Main process, Electron-free.
// Which commands, and by which input field, is each command's `fleet` declaration in the contract.
// The owner is read from the database at the moment of the call (not from the last assignment round),
// so a command follows a failover at once; the forwarded call goes through the one API client
// (src/shared/api-client.ts), with a timeout and a clear error.

import { ApiRefusedError, ApiUnavailableError, createApiClient } from '../../../shared/api-client'
import { commands, isCommandName, ownerRouting, type BulkResult, type CommandInput, type CommandName, type Result } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { localCaller, type Caller } from '../access/caller'
import { toErrorInfo, type CallRecord, type Dispatch } from '../api/dispatch'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import type { Logger } from '../logger'
import { parseRemoteServer } from '../transfer/remote-server'

export const FORWARD_TIMEOUT_MS = 10_000

export interface ForwardingOptions {
  local: Dispatch
  database: OpenedPostgres
  serverId: string
  /** The fleet's shared API token: used for a caller that presented none (a local caller). */
  token: string
  logger: Logger
  timeoutMs?: number
  /**
   * The database showed no live lease on these accounts as a command about them was to run here: the
   * fleet's reading is told (Fleet.sawNoLease), which may still name the server that ran them.
   */
  sawNoLease?: (ids: readonly AccountId[]) => void
}

export function forwardingDispatch(options: ForwardingOptions): Dispatch {
  const { local, database, serverId, token, logger } = options
  const timeoutMs = options.timeoutMs ?? FORWARD_TIMEOUT_MS

  async function ownerOf(id: string): Promise<{ id: string; url: string } | null> {
    const { rows } = await database.pool.query<{ owner: string; url: string | null }>(
      'SELECT l.owner, s.url FROM leases l LEFT JOIN servers s ON s.id = l.owner WHERE l.account_id = $1 AND l.owner IS NOT NULL AND l.expires_at > now()',
      [id],
    )
    const row = rows[0]
    if (!row) options.sawNoLease?.([id as AccountId])
    if (!row || row.owner === serverId) return null
    if (!row.url) throw new AppError('unavailable', `Account ${id} runs on server ${row.owner}, which has not registered an address; retry shortly.`)
    return { id: row.owner, url: row.url }
  }

  /** `subject` names what the command is about in error messages: "Account acc-…", or "These 12 accounts". */
  async function forward(
    owner: { id: string; url: string },
    command: CommandName,
    input: unknown,
    subject: string,
    caller: Caller,
    answered: () => void,
  ): Promise<Result<unknown>> {
    const many = subject.startsWith('These')
    // The caller's own token and channel travel on: the owner checks that identity again, records it in
    // the audit trail, and its activity log says who asked (the UI, the CLI), not "API".
    const client = createApiClient({ baseUrl: owner.url, token: caller.credential() ?? token, client: caller.via, timeoutMs })
    try {
      const value = await client.call(command, input as CommandInput<typeof command>)
      answered()
      return { ok: true, value }
    } catch (err) {
      if (err instanceof ApiRefusedError) {
        // Refused by its door (not before it, as a token it does not know yet is): the owner recorded it.
        if (err.code !== 'unauthorized') answered()
        return { ok: false, error: err.toInfo() }
      }
      if (err instanceof ApiUnavailableError && (err.reason === 'not-irish' || err.reason === 'off-contract')) {
        throw new AppError('unavailable', `Server ${owner.id} answered ${command} for ${subject.charAt(0).toLowerCase()}${subject.slice(1)} with something other than an Irish result (${err.why}).`, { cause: err })
      }
      throw new AppError(
        'unavailable',
        `${subject} ${many ? 'run' : 'runs'} on server ${owner.id} (${owner.url}), which ${err instanceof ApiUnavailableError && err.reason === 'timeout' ? `did not answer within ${timeoutMs / 1000} s` : 'cannot be reached'}. ` +
          `If that server is gone, another one takes ${many ? 'them over once their leases expire' : 'the account over once its lease expires'}; retry then.`,
        { cause: err },
      )
    }
  }

  /**
   * An export to a server of this same fleet would "move" the account onto the database it already
   * lives in, and mark it moved: refused at once. The target is asked who it is (fleet:servers with the
   * token the operator gave); a target that does not know the command is not a fleet server.
   */
  async function refuseSameFleet(rawInput: unknown): Promise<void> {
    const { url, token: targetToken } = (rawInput ?? {}) as { url?: unknown; token?: unknown }
    if (typeof url !== 'string' || typeof targetToken !== 'string') return
    let remote: ReturnType<typeof parseRemoteServer>
    try {
      remote = parseRemoteServer(url)
    } catch {
      return // the export itself reports a bad address
    }
    const servers = await createApiClient({ baseUrl: remote.target, token: targetToken, timeoutMs })
      .call('fleet:servers', {})
      .catch(() => null)
    if (servers?.some((s) => s.id === serverId)) {
      throw new AppError('conflict', `${remote.target} is a server of this same fleet: the account already runs there whenever that server holds it. Nothing was exported.`)
    }
  }

  /** The live owners of these accounts that are not this server, in one query. */
  async function ownersOf(ids: readonly string[]): Promise<Map<string, { id: string; url: string | null }>> {
    const { rows } = await database.pool.query<{ account_id: string; owner: string; url: string | null }>(
      'SELECT l.account_id, l.owner, s.url FROM leases l LEFT JOIN servers s ON s.id = l.owner WHERE l.account_id = ANY($1) AND l.owner IS NOT NULL AND l.expires_at > now()',
      [ids],
    )
    const leased = new Set(rows.map((row) => row.account_id))
    const free = ids.filter((id) => !leased.has(id)) as AccountId[]
    if (free.length > 0) options.sawNoLease?.(free)
    return new Map(rows.filter((row) => row.owner !== serverId).map((row) => [row.account_id, { id: row.owner, url: row.url }]))
  }

  /**
   * A command over many accounts (accounts:bulk): the ids are grouped by the server that runs them; this
   * server acts on its own (and on those nobody runs), each other owner gets the same command for its
   * group, all groups at once. The answer keeps the order of the ids; an owner that cannot be reached
   * fails only its group's entries.
   */
  async function forEachOwner(command: CommandName, field: string, rawInput: unknown, caller: Caller, call: CallRecord): Promise<Result<unknown>> {
    const parsed = commands[command].input.safeParse(rawInput ?? {})
    if (!parsed.success) return local(command, rawInput, caller, call) // the local dispatcher words the refusal
    const fields = parsed.data as Record<string, unknown>
    const ids = fields[field] as AccountId[]
    const owners = await ownersOf(ids)
    const groups = new Map<string, { owner: { id: string; url: string | null } | null; ids: AccountId[] }>()
    for (const id of new Set(ids)) {
      const owner = owners.get(id) ?? null
      const key = owner?.id ?? serverId
      const group = groups.get(key) ?? { owner, ids: [] }
      group.ids.push(id)
      groups.set(key, group)
    }
    const answered = await Promise.all(
      [...groups.values()].map(async ({ owner, ids: group }): Promise<BulkResult[]> => {
        const input = { ...fields, [field]: group }
        try {
          if (owner && !owner.url) throw new AppError('unavailable', `These accounts run on server ${owner.id}, which has not registered an address; retry shortly.`)
          const result = owner?.url
            ? await forward({ id: owner.id, url: owner.url }, command, input, group.length === 1 ? `Account ${group[0]}` : `These ${group.length} accounts`, caller, () => {
                for (const id of group) call.elsewhere.add(id)
              })
            : await local(command, input, caller, call)
          if (!result.ok) throw new AppError(result.error.code, result.error.message)
          return result.value as BulkResult[]
        } catch (err) {
          const error = toErrorInfo(err, logger, command)
          return group.map((id) => ({ id, ok: false, error }))
        }
      }),
    )
    const byId = new Map(answered.flat().map((entry) => [entry.id, entry]))
    return { ok: true, value: [...new Set(ids)].map((id) => byId.get(id) ?? { id, ok: false, error: { code: 'internal' as const, message: 'No server answered for this account.' } }) }
  }

  return async (command, rawInput, caller = localCaller('api'), call = { elsewhere: new Set() }) => {
    const routing = isCommandName(command) ? ownerRouting(command) : null
    if (!routing || !isCommandName(command)) return local(command, rawInput, caller, call)
    if (routing.many) {
      try {
        return await forEachOwner(command, routing.field, rawInput, caller, call)
      } catch (err) {
        return { ok: false, error: toErrorInfo(err, logger, command) }
      }
    }
    if (command === 'transfer:export-to-server') {
      try {
        await refuseSameFleet(rawInput)
      } catch (err) {
        return { ok: false, error: toErrorInfo(err, logger, command) }
      }
    }
    const id = (rawInput as Record<string, unknown> | null)?.[routing.field]
    if (typeof id !== 'string') return local(command, rawInput, caller, call)
    try {
      const owner = await ownerOf(id)
      if (!owner) return local(command, rawInput, caller, call)
      logger.debug({ command, account: id, owner: owner.id }, 'forwarding a command to the server that runs the account')
      return await forward(owner, command, rawInput, `Account ${id}`, caller, () => call.elsewhere.add(id))
    } catch (err) {
      return { ok: false, error: toErrorInfo(err, logger, command) }
    }
  }
}
