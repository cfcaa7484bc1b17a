// Every column of either database that holds a sealed value, with the row key that finds it and the AAD
// it is sealed under: what a rotation of the data key re-seals (rotation/rotate-key.ts). A column that holds a
// sealed value and is not here would be left under the old key and be unreadable once that key is
// retired: db/sealed-columns.test.ts fails on any blob or bytea column of either schema missing here.
// Main process, Electron-free. (The key-check value in `meta` is the rotation's own, not listed here.)

import { accountProxyAad, credsAad, fleetEventAad, keyAad, sendPayloadAad, webhookPayloadAad, webhookSecretAad, webhookUrlAad } from '../crypto/aad'

/** Values a rotation re-seals per transaction, by default. */
export const DEFAULT_ROTATION_BATCH = 500

export interface SealedColumn {
  table: string
  column: string
  /** The primary key, in order: a rotation walks the table by it. */
  key: readonly string[]
  /** Other columns the AAD needs. */
  reads?: readonly string[]
  aad(row: Record<string, string>): Buffer
  /** A table only one database has (the fleet's own tables live in PostgreSQL alone). */
  only?: 'sqlite' | 'postgres'
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { table: 'auth_creds', column: 'value', key: ['account_id'], aad: (row) => credsAad(row.account_id!) },
  { table: 'auth_keys', column: 'value', key: ['account_id', 'type', 'id'], aad: (row) => keyAad(row.account_id!, row.type!, row.id!) },
  { table: 'webhooks', column: 'secret', key: ['id'], aad: (row) => webhookSecretAad(row.id!) },
  { table: 'webhooks', column: 'sealed_url', key: ['id'], aad: (row) => webhookUrlAad(row.id!) },
  { table: 'webhook_outbox', column: 'payload', key: ['seq'], reads: ['delivery_id'], aad: (row) => webhookPayloadAad(row.delivery_id!) },
  { table: 'accounts', column: 'proxy_url', key: ['id'], aad: (row) => accountProxyAad(row.id!) },
  { table: 'sends', column: 'payload', key: ['seq'], reads: ['message_id'], aad: (row) => sendPayloadAad(row.message_id!) },
  { table: 'fleet_events', column: 'payload', key: ['seq'], reads: ['id'], aad: (row) => fleetEventAad(row.id!), only: 'postgres' },
]

/** The sealed columns one database has. */
export function sealedColumnsOf(database: 'sqlite' | 'postgres'): readonly SealedColumn[] {
  return SEALED_COLUMNS.filter((column) => column.only === undefined || column.only === database)
}

/** Blob columns that hold no sealed value: `meta.value` holds the key-check (sealed, the rotation's own) and plain records. */
export const UNSEALED_BLOB_COLUMNS: readonly string[] = ['meta.value']
