// An event as the outbox keeps it (sealed, bound to its delivery id), the body a delivery sends, and a
// delivery as `webhooks:deliveries` shows it. Payloads hold message text: they are never logged.

import { createHash, randomUUID } from 'node:crypto'
import { isEventName, repeatKeyOf, type WebhookDelivery } from '../../../shared/contract'
import type { Sealer } from '../crypto/sealer'
import { webhookPayloadAad } from '../crypto/aad'
import type { OutboxInsert, OutboxRow } from './outbox'

const PREVIEW_CHARS = 600

/** The payload as sealed in the outbox; the body adds the delivery id and the attempt's timestamp. */
interface StoredEvent {
  event: string
  account: string | null
  data: unknown
}

export interface StoredEvents {
  /** One outbox row per endpoint for one event. */
  rowsFor(event: string, account: string | null, data: unknown, webhookIds: readonly string[], createdAt: number): OutboxInsert[]
  /** The JSON body of an attempt made at `timestamp` (signed as it is). */
  bodyOf(row: OutboxRow, timestamp: number): string
  toDelivery(row: OutboxRow): WebhookDelivery
}

export function createStoredEvents(sealer: Sealer): StoredEvents {
  function bodyOf(row: OutboxRow, timestamp: number): string {
    const stored = JSON.parse(sealer.open(row.payload, webhookPayloadAad(row.deliveryId)).toString('utf8')) as StoredEvent
    return JSON.stringify({ id: row.deliveryId, event: stored.event, account: stored.account, timestamp, occurredAt: row.createdAt, data: stored.data })
  }

  return {
    rowsFor(event, account, data, webhookIds, createdAt) {
      // An event that may be reported again (its `repeatsBy` declaration: WhatsApp delivers a message
      // again after a restart or a failover) gets one delivery id per endpoint: the outbox skips the repeat.
      const repeat = isEventName(event) ? repeatKeyOf(event, data) : null
      const plain = Buffer.from(JSON.stringify({ event, account, data } satisfies StoredEvent))
      return webhookIds.map((webhookId) => {
        const deliveryId = repeat ? uuidFrom(`${webhookId}\0${repeat.account}\0${repeat.key}`) : randomUUID()
        return {
          deliveryId,
          webhookId,
          lane: account ?? '',
          event,
          // Sealed per row: the AAD binds each copy to its delivery id.
          payload: sealer.seal(plain, webhookPayloadAad(deliveryId)),
          createdAt,
        }
      })
    },
    bodyOf,
    toDelivery(row) {
      let preview: string
      try {
        preview = bodyOf(row, row.lastAttemptAt ?? row.createdAt).slice(0, PREVIEW_CHARS)
      } catch {
        preview = '(the stored event cannot be decrypted)'
      }
      return {
        deliveryId: row.deliveryId,
        webhookId: row.webhookId,
        event: row.event,
        account: row.lane === '' ? null : row.lane,
        status: row.status,
        attempts: row.attempts,
        createdAt: row.createdAt,
        lastAttemptAt: row.lastAttemptAt,
        nextAttemptAt: row.status === 'pending' ? row.nextAttemptAt : null,
        statusCode: row.statusCode,
        error: row.error,
        durationMs: row.durationMs,
        response: row.response,
        payloadPreview: preview,
      }
    },
  }
}

/** A UUID-shaped id derived from `text`: the same text, the same id. */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
