// Webhook addresses are sealed at rest with the data key (a query string can carry the receiver's
// credentials). Versions before wrote them in clear into webhooks.url; this step seals each such row into
// sealed_url and empties url. It runs when the database opens, after the SQL migrations (which add
// sealed_url but cannot seal: they have no key), once the data key is known to be right; it is
// idempotent, so a row an older server of a fleet wrote in clear meanwhile is sealed at the next open.
// It sits with the database (which runs it) rather than with the webhooks (which read what it seals:
// endpoints.ts), so that the database never imports a capability that imports it back. Main process,
// Electron-free.

import type { Database } from 'better-sqlite3'
import type pg from 'pg'
import type { Sealer } from '../crypto/sealer'
import { webhookUrlAad } from '../crypto/aad'

export { webhookUrlAad }

export function sealWebhookUrl(sealer: Sealer, id: string, url: string): Buffer {
  return sealer.seal(Buffer.from(url, 'utf8'), webhookUrlAad(id))
}

/** SQLite: seals every address still in clear, in one transaction. Returns how many it sealed. */
export function sealWebhookUrlsSqlite(sqlite: Database, sealer: Sealer): number {
  const clear = sqlite.prepare('SELECT id, url FROM webhooks WHERE url IS NOT NULL')
  const update = sqlite.prepare('UPDATE webhooks SET sealed_url = ?, url = NULL WHERE id = ?')
  return sqlite
    .transaction(() => {
      const rows = clear.all() as Array<{ id: string; url: string }>
      for (const row of rows) update.run(sealWebhookUrl(sealer, row.id, row.url), row.id)
      return rows.length
    })
    .immediate()
}

/** PostgreSQL: the same, in one transaction on `client` (the caller holds the migration lock). */
export async function sealWebhookUrlsPg(client: pg.ClientBase, sealer: Sealer): Promise<number> {
  await client.query('BEGIN')
  let sealed: number
  try {
    const { rows } = await client.query<{ id: string; url: string }>('SELECT id, url FROM webhooks WHERE url IS NOT NULL FOR UPDATE')
    for (const row of rows) {
      await client.query('UPDATE webhooks SET sealed_url = $1, url = NULL WHERE id = $2', [sealWebhookUrl(sealer, row.id, row.url), row.id])
    }
    await client.query('COMMIT')
    sealed = rows.length
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  }
  // The replaced row versions would stay in the table's pages until vacuumed: the table is a handful of
  // rows, so it is rewritten now.
  if (sealed > 0) await client.query('VACUUM FULL webhooks')
  return sealed
}
