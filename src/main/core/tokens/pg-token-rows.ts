// The API tokens' rows in a fleet's PostgreSQL database, shared by every server. Main process, Electron-free.

import type pg from 'pg'
import type { StoredToken, TokenRows } from './token-registry'
import { takenName, tokenFromRow } from './sqlite-token-rows'

interface Row {
  name: string
  role: string
  accounts: string | null
  hash: string
  created_at: string
}

export function pgTokenRows(pool: pg.Pool): TokenRows {
  const columns = 'name, role, accounts, hash, created_at'
  return {
    async all(): Promise<StoredToken[]> {
      return (await pool.query<Row>(`SELECT ${columns} FROM api_tokens`)).rows.map(tokenFromRow)
    },
    async byHash(hash) {
      const row = (await pool.query<Row>(`SELECT ${columns} FROM api_tokens WHERE hash = $1`, [hash.toString('hex')])).rows[0]
      return row ? tokenFromRow(row) : null
    },
    async insert(token) {
      try {
        await pool.query(`INSERT INTO api_tokens (${columns}) VALUES ($1, $2, $3, $4, $5)`, [
          token.name,
          token.role,
          token.accounts ? JSON.stringify(token.accounts) : null,
          token.hash.toString('hex'),
          token.createdAt,
        ])
      } catch (err) {
        if ((err as { code?: unknown; constraint?: unknown }).code === '23505' && (err as { constraint?: unknown }).constraint === 'api_tokens_pkey') {
          throw takenName(token.name)
        }
        throw err
      }
    },
    remove: async (name) => ((await pool.query('DELETE FROM api_tokens WHERE name = $1', [name])).rowCount ?? 0) > 0,
  }
}
