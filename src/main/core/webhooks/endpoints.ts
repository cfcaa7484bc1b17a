// The webhook endpoints as this server knows them: read from the database (a fleet's other servers may
// add or remove some), which endpoints subscribe to which event, and each endpoint's secret and address,
// opened once and kept in memory. Secrets never leave this module except to sign a body.

import type { WebhookEvent, WebhookSummary } from '../../../shared/contract'
import { WEBHOOK_EVENTS } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Sealer } from '../crypto/sealer'
import type { Outbox, WebhookRow } from './outbox'
import { sealWebhookUrl } from '../db/seal-webhook-urls'
import { webhookSecretAad, webhookUrlAad } from '../crypto/aad'

export interface Endpoints {
  /** Reads the endpoints again from the database. */
  reload(): Promise<void>
  /** How long ago (monotonic ms) the last read that succeeded was sent. */
  age(): number
  /** The endpoints subscribed to `event`; an event nobody subscribes to costs one map lookup. */
  subscribers(event: string): readonly string[] | undefined
  get(id: string): WebhookRow | undefined
  /** The endpoint, or the not-found error naming it. */
  require(id: string): WebhookRow
  secretOf(id: string): string
  /** The endpoint's address, opened. */
  urlOf(id: string): string
  /** A new endpoint's secret, sealed for its row. */
  sealSecret(id: string, secret: string): Buffer
  /** A new endpoint's address, sealed for its row. */
  sealUrl(id: string, url: string): Buffer
  forget(id: string): void
  /** Every endpoint with its health and queue counts, as `webhooks:list` answers. */
  summaries(counts: Map<string, { pending: number; dead: number }>): WebhookSummary[]
}

export function createEndpoints(outbox: Outbox, sealer: Sealer, monotonic: () => number = () => performance.now()): Endpoints {
  let readAt = -Infinity
  const secrets = new Map<string, string>()
  const urls = new Map<string, string>()
  let subscriptions = new Map<string, string[]>()
  let rows = new Map<string, WebhookRow>()

  const require = (id: string): WebhookRow => {
    const row = rows.get(id)
    if (!row) throw new AppError('not-found', `There is no webhook ${id}.`)
    return row
  }

  const urlOf = (id: string): string => {
    let url = urls.get(id)
    if (url === undefined) {
      const row = require(id)
      try {
        // A row an older server of a fleet wrote since this database was opened is still in clear.
        url = row.sealedUrl ? sealer.open(row.sealedUrl, webhookUrlAad(id)).toString('utf8') : (row.url ?? '')
      } catch (err) {
        throw new AppError('storage-corrupt', `The address of webhook ${id} cannot be decrypted; remove the webhook and add it again.`, { cause: err })
      }
      urls.set(id, url)
    }
    return url
  }

  /** One address that does not open must not hide the others (nor the way to remove it). */
  const listedUrl = (id: string): string => {
    try {
      return urlOf(id)
    } catch {
      return '(the address cannot be decrypted)'
    }
  }

  return {
    async reload() {
      const sentAt = monotonic()
      rows = new Map((await outbox.webhooks()).map((row) => [row.id, row]))
      const next = new Map<string, string[]>()
      for (const row of rows.values()) {
        for (const event of JSON.parse(row.events) as string[]) next.set(event, [...(next.get(event) ?? []), row.id])
      }
      subscriptions = next
      readAt = Math.max(readAt, sentAt)
    },
    age: () => monotonic() - readAt,
    subscribers: (event) => subscriptions.get(event),
    get: (id) => rows.get(id),
    require,
    secretOf(id) {
      let secret = secrets.get(id)
      if (secret === undefined) {
        const row = require(id)
        try {
          secret = sealer.open(row.secret, webhookSecretAad(id)).toString('utf8')
        } catch (err) {
          throw new AppError('storage-corrupt', `The secret of webhook ${id} cannot be decrypted; remove the webhook and add it again.`, { cause: err })
        }
        secrets.set(id, secret)
      }
      return secret
    },
    urlOf,
    sealSecret: (id, secret) => sealer.seal(Buffer.from(secret, 'utf8'), webhookSecretAad(id)),
    sealUrl: (id, url) => sealWebhookUrl(sealer, id, url),
    forget(id) {
      secrets.delete(id)
      urls.delete(id)
    },
    summaries(counts) {
      return [...rows.values()].map((row) => ({
        id: row.id,
        url: listedUrl(row.id),
        events: (JSON.parse(row.events) as string[]).filter(isWebhookEvent),
        createdAt: row.createdAt,
        lastSuccessAt: row.lastSuccessAt,
        failuresInARow: row.failuresInARow,
        lastError: row.lastError,
        pending: counts.get(row.id)?.pending ?? 0,
        dead: counts.get(row.id)?.dead ?? 0,
      }))
    },
  }
}

function isWebhookEvent(value: string): value is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(value)
}
