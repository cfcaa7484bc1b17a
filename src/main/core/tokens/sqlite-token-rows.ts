// The API tokens' rows in the SQLite database (one server, the desktop app). Main process, Electron-free.

import type Database from 'better-sqlite3'
import type { Role } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { StoredToken, TokenRows } from './token-registry'

interface Row {
  name: string
  role: string
  accounts: string | null
  hash: string
  created_at: number
}

/** A row as either database returns it (created_at is a string from node-postgres). */
export function tokenFromRow(row: { name: string; role: string; accounts: string | null; hash: string; created_at: number | string }): StoredToken {
  return {
    name: row.name,
    role: row.role as Role,
    accounts: row.accounts === null ? null : (JSON.parse(row.accounts) as AccountId[]),
    hash: Buffer.from(row.hash, 'hex'),
    createdAt: Number(row.created_at),
  }
}

export function takenName(name: string): AppError {
  return new AppError('conflict', `A token named "${name}" exists already: revoke it first, or choose another name.`)
}

export function sqliteTokenRows(sqlite: Database.Database): TokenRows {
  const all = sqlite.prepare<[], Row>('SELECT name, role, accounts, hash, created_at FROM api_tokens')
  const byHash = sqlite.prepare<[string], Row>('SELECT name, role, accounts, hash, created_at FROM api_tokens WHERE hash = ?')
  const insert = sqlite.prepare('INSERT INTO api_tokens (name, role, accounts, hash, created_at) VALUES (?, ?, ?, ?, ?)')
  const remove = sqlite.prepare('DELETE FROM api_tokens WHERE name = ?')
  return {
    all: async () => all.all().map(tokenFromRow),
    async byHash(hash) {
      const row = byHash.get(hash.toString('hex'))
      return row ? tokenFromRow(row) : null
    },
    async insert(token) {
      try {
        insert.run(token.name, token.role, token.accounts ? JSON.stringify(token.accounts) : null, token.hash.toString('hex'), token.createdAt)
      } catch (err) {
        if ((err as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw takenName(token.name)
        throw err
      }
    },
    remove: async (name) => remove.run(name).changes > 0,
  }
}
