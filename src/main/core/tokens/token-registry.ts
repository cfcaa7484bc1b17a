// Named API tokens, each with a role and perhaps a set of accounts (docs/security.md, "Roles"). Main
// process, Electron-free. Only a token's SHA-256 is stored (a generated token carries 256 random bits, so
// a fast hash is as good as a slow one here); the token itself is shown once, by tokens:add. The server's
// own token (IRISH_API_TOKEN or the data dir's api-token file) is the admin token named `default`, and is
// never stored. Where the rows live is the TokenRows port: sqlite-token-rows.ts and pg-token-rows.ts.
//
// Lookups are answered from memory. In a fleet the rows are shared by every server, so each one reads
// them again every `refreshMs`: a token revoked on one server is refused by the others within that time,
// and the identities it dropped are announced (onRevoked), so their open event streams are closed. A
// token added on another server and not read yet is looked up in the database on first use.

import { createHash, randomBytes } from 'node:crypto'
import { BUILT_IN_TOKEN, type Role, type TokenSummary } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { Identity } from '../access/caller'
import type { Logger } from '../logger'
import { tokenMatches } from './token-compare'

export interface StoredToken {
  name: string
  role: Role
  accounts: AccountId[] | null
  /** SHA-256 of the token. */
  hash: Buffer
  createdAt: number
}

/** Where the tokens' rows live. */
export interface TokenRows {
  all(): Promise<StoredToken[]>
  byHash(hash: Buffer): Promise<StoredToken | null>
  /** Throws a conflict AppError when the name is taken. */
  insert(token: StoredToken): Promise<void>
  /** True when a row was removed. */
  remove(name: string): Promise<boolean>
}

export interface NewToken {
  name: string
  role: Role
  accounts: AccountId[] | null
  /** Shown once; never stored. */
  token: string
}

export interface TokenRegistry {
  /** The identity `presented` stands for, or null (unknown or revoked). */
  authenticate(presented: string | null): Promise<Identity | null>
  add(input: { name: string; role: Role; accounts?: readonly AccountId[] | undefined }): Promise<NewToken>
  list(): Promise<TokenSummary[]>
  revoke(name: string): Promise<void>
  /** Called with each identity that stopped being valid (revoked here, or seen revoked at a refresh). */
  onRevoked(listener: (identity: Identity) => void): () => void
  /** Reads the rows again; announces the identities that disappeared. */
  refresh(): Promise<void>
  close(): void
}

export interface TokenRegistryOptions {
  rows: TokenRows
  /** The server's own token, admin and named `default`; null where there is none (the desktop app). */
  builtIn: string | null
  /** Whether an account exists, so a token is never limited to an id that names nothing. */
  accountExists: (id: AccountId) => boolean
  /** Read the rows again this often (a fleet); null never (one process owns them). */
  refreshMs: number | null
  logger: Logger
  now?: () => number
}

/** What a generated token starts with, so secret scanners and people can tell one when they see it. */
export const TOKEN_PREFIX = 'irish_'

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

const DEFAULT_IDENTITY: Identity = Object.freeze({ name: BUILT_IN_TOKEN, role: 'admin', accounts: null })

function identityOf(row: StoredToken): Identity {
  return Object.freeze({ name: row.name, role: row.role, accounts: row.accounts ? new Set(row.accounts) : null })
}

export async function createTokenRegistry(options: TokenRegistryOptions): Promise<TokenRegistry> {
  const { rows, builtIn, logger } = options
  const now = options.now ?? Date.now
  const listeners = new Set<(identity: Identity) => void>()
  /** Hex SHA-256 of a token -> its identity. */
  let byHash = new Map<string, Identity>()
  let closed = false

  function announce(identity: Identity): void {
    for (const listener of listeners) {
      try {
        listener(identity)
      } catch (err) {
        logger.warn({ err }, 'a listener for revoked tokens failed')
      }
    }
  }

  async function refresh(): Promise<void> {
    const next = new Map<string, Identity>()
    for (const row of await rows.all()) {
      const key = row.hash.toString('hex')
      // The same row as before keeps its identity object, so holders of it compare equal.
      const known = byHash.get(key)
      next.set(key, known && known.name === row.name && known.role === row.role ? known : identityOf(row))
    }
    const dropped = [...byHash].filter(([key, identity]) => next.get(key) !== identity).map(([, identity]) => identity)
    byHash = next
    for (const identity of dropped) announce(identity)
  }

  await refresh()
  let timer: NodeJS.Timeout | null = null
  let refreshing = false
  if (options.refreshMs !== null) {
    timer = setInterval(() => {
      if (refreshing || closed) return
      refreshing = true
      refresh()
        .catch((err: unknown) => logger.warn({ err }, 'could not read the API tokens again; revocations by other servers wait for the next read'))
        .finally(() => {
          refreshing = false
        })
    }, options.refreshMs)
    timer.unref()
  }

  return {
    async authenticate(presented) {
      if (presented === null || presented === '') return null
      if (builtIn !== null && tokenMatches(builtIn, presented)) return DEFAULT_IDENTITY
      const hash = hashToken(presented)
      const key = hash.toString('hex')
      const cached = byHash.get(key)
      if (cached) return cached
      // Added on another server since the last read.
      if (options.refreshMs === null) return null
      const row = await rows.byHash(hash)
      if (!row) return null
      const identity = identityOf(row)
      byHash.set(key, identity)
      return identity
    },

    async add({ name, role, accounts }) {
      const unknown = (accounts ?? []).filter((id) => !options.accountExists(id))
      if (unknown.length > 0) throw new AppError('not-found', `There is no account "${unknown[0]}": a token is limited to accounts that exist.`)
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`
      const limited = accounts ? [...new Set(accounts)] : null
      const row: StoredToken = { name, role, accounts: limited, hash: hashToken(token), createdAt: now() }
      await rows.insert(row)
      byHash.set(row.hash.toString('hex'), identityOf(row))
      logger.info({ token: name, role, limited: limited !== null }, 'API token added')
      return { name, role, accounts: limited, token }
    },

    async list() {
      const stored = (await rows.all()).sort((a, b) => a.name.localeCompare(b.name))
      const own: TokenSummary[] = builtIn !== null ? [{ name: BUILT_IN_TOKEN, role: 'admin', accounts: null, createdAt: null, builtIn: true }] : []
      return [...own, ...stored.map((row): TokenSummary => ({ name: row.name, role: row.role, accounts: row.accounts, createdAt: row.createdAt, builtIn: false }))]
    },

    async revoke(name) {
      if (name === BUILT_IN_TOKEN) {
        throw new AppError(
          'conflict',
          'The default token is the server\'s own: it comes from IRISH_API_TOKEN or <data-dir>/api-token. Change it there and restart every server that uses it.',
        )
      }
      if (!(await rows.remove(name))) throw new AppError('not-found', `There is no token named "${name}".`)
      const gone = [...byHash].filter(([, identity]) => identity.name === name)
      for (const [key] of gone) byHash.delete(key)
      logger.info({ token: name }, 'API token revoked')
      for (const [, identity] of gone) announce(identity)
    },

    onRevoked(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    refresh,
    close() {
      closed = true
      if (timer) clearInterval(timer)
      listeners.clear()
    },
  }
}
