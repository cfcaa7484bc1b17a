// Who asks for a command: the identity a transport established (an API token's name, role and accounts,
// or the local user of the desktop window or of the CLI on a data dir), and the channel it came by.
// Main process, Electron-free. The token a caller presented is kept only to forward its command to
// another server of a fleet, which checks it again: it never reaches a log, the audit trail or an answer.

import type { ActivityActor, Role } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'

export interface Identity {
  /** The token's name (`default` for the server's own token), or the local actor: desktop, cli, local. */
  name: string
  role: Role
  /** The accounts it may see, or null for every account. */
  accounts: ReadonlySet<AccountId> | null
}

export class Caller {
  readonly #credential: string | null

  constructor(
    /** How the command arrived (the activity log's "who asked"). */
    readonly via: ActivityActor,
    readonly identity: Identity,
    credential: string | null = null,
  ) {
    this.#credential = credential
  }

  /** The token this caller presented, for forwarding its command within a fleet; null for a local caller. */
  credential(): string | null {
    return this.#credential
  }

  /** What a log line may say about the caller: never the token. */
  toJSON(): { via: ActivityActor; name: string; role: Role } {
    return { via: this.via, name: this.identity.name, role: this.identity.role }
  }
}

/** The actor a local caller is recorded as: the desktop's own window, the CLI on a data dir, or the process itself. */
const LOCAL_ACTORS = { ui: 'desktop', cli: 'cli', api: 'local', system: 'system' } as const satisfies Record<ActivityActor, string>

/**
 * A caller on this machine without a token: the desktop app's window (over IPC), the CLI with a data dir
 * it opened itself, or code inside the process. Whoever runs the app or holds the data dir and its key
 * can do everything anyway, so it is admin.
 */
export function localCaller(via: ActivityActor): Caller {
  return new Caller(via, { name: LOCAL_ACTORS[via], role: 'admin', accounts: null })
}

/** True when `identity` may see `account`. */
export function sees(identity: Identity, account: string): boolean {
  return identity.accounts === null || identity.accounts.has(account as AccountId)
}
