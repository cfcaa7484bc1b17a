// Any server of a fleet answers every command: one about an account another server runs is forwarded to
// that server's advertised URL with the fleet's shared API token. Main process, Electron-free.
// The owner is read from the database at the moment of the call (not from the last assignment round),
// so a command follows a failover at once; the forwarded call has a timeout and a clear error.

import type { Result } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import { toErrorInfo, type Dispatch } from '../api/dispatch'
import type { OpenedPostgres } from '../db/postgres/open-postgres'
import type { Logger } from '../logger'
import { parseRemoteServer } from '../transfer/remote-server'

/** Commands that act on a running socket (or its memory: QR, messages) and so belong to its owner. */
export const OWNER_COMMANDS: ReadonlySet<string> = new Set([
  'accounts:stop',
  'accounts:logout',
  'accounts:remove',
  'accounts:send-text',
  'accounts:messages',
  'accounts:health',
  'accounts:pairing',
  'simulator:scan',
  'transfer:export',
  'transfer:export-to-server',
])

export const FORWARD_TIMEOUT_MS = 10_000

export interface ForwardingOptions {
  local: Dispatch
  database: OpenedPostgres
  serverId: string
  /** The fleet's shared API token: servers authenticate to each other with it. */
  token: string
  logger: Logger
  timeoutMs?: number
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
    if (!row || row.owner === serverId) return null
    if (!row.url) throw new AppError('unavailable', `Account ${id} runs on server ${row.owner}, which has not registered an address; retry shortly.`)
    return { id: row.owner, url: row.url }
  }

  async function forward(owner: { id: string; url: string }, command: string, input: unknown, account: AccountId): Promise<Result<unknown>> {
    let response: Response
    try {
      response = await fetch(`${owner.url.replace(/\/+$/, '')}/api/${command}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(input),
        redirect: 'error',
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (err) {
      const timedOut = (err as { name?: string }).name === 'TimeoutError'
      throw new AppError(
        'unavailable',
        `Account ${account} runs on server ${owner.id} (${owner.url}), which ${timedOut ? `did not answer within ${timeoutMs / 1000} s` : 'cannot be reached'}. ` +
          'If that server is gone, another one takes the account over once its lease expires; retry then.',
        { cause: err },
      )
    }
    const body = (await response.json().catch(() => null)) as Result<unknown> | null
    if (!body || typeof body !== 'object' || typeof body.ok !== 'boolean') {
      throw new AppError('unavailable', `Server ${owner.id} answered ${command} for account ${account} with something other than an Irish result (HTTP ${response.status}).`)
    }
    return body
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
    const servers = await fetch(remote.endpoint('fleet:servers'), {
      method: 'POST',
      headers: { authorization: `Bearer ${targetToken}`, 'content-type': 'application/json' },
      body: '{}',
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    })
      .then(async (response) => (await response.json()) as Result<Array<{ id: string }>>)
      .catch(() => null)
    if (servers?.ok && servers.value.some((s) => s.id === serverId)) {
      throw new AppError('conflict', `${remote.target} is a server of this same fleet: the account already runs there whenever that server holds it. Nothing was exported.`)
    }
  }

  return async (command, rawInput) => {
    if (command === 'transfer:export-to-server') {
      try {
        await refuseSameFleet(rawInput)
      } catch (err) {
        return { ok: false, error: toErrorInfo(err, logger, command) }
      }
    }
    const id = OWNER_COMMANDS.has(command) ? (rawInput as { id?: unknown } | null)?.id : undefined
    if (typeof id !== 'string') return local(command, rawInput)
    try {
      const owner = await ownerOf(id)
      if (!owner) return local(command, rawInput)
      logger.debug({ command, account: id, owner: owner.id }, 'forwarding a command to the server that runs the account')
      return await forward(owner, command, rawInput, id as AccountId)
    } catch (err) {
      return { ok: false, error: toErrorInfo(err, logger, command) }
    }
  }
}
