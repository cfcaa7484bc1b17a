// Webhooks: endpoints, the durable outbox, and delivery (docs/webhooks.md). `capture` wraps the event bus
// the sessions emit on: an event an endpoint subscribes to is written to the outbox (sealed) in the same
// synchronous step that emits it, before any listener sees it. Main process, Electron-free.
// Secrets are returned once by add and never logged or listed; payloads are never logged.

import { createHash, randomBytes, randomUUID } from 'node:crypto'
import {
  WEBHOOK_EVENTS,
  WEBHOOK_TEST_EVENT,
  type DeliveryStatus,
  type EventName,
  type WebhookDelivery,
  type WebhookEvent,
  type WebhookSummary,
} from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Sealer } from '../crypto/sealer'
import type { EventBus } from '../events'
import type { Logger } from '../logger'
import { createDispatcher, DEFAULT_MAX_IN_FLIGHT, DEFAULT_RETRY, type RetryPolicy } from './dispatcher'
import { createPoster } from './post'
import { DELIVERY_HEADER, EVENT_HEADER, newSecret, sign, SIGNATURE_HEADER } from './signing'
import type { Outbox, OutboxInsert, OutboxRow, WebhookRow } from './outbox'
import { parseWebhookUrl } from './url-policy'

export const DEFAULT_TIMEOUT_MS = 10_000
/** Delivered and dead rows are kept this long for the deliveries view, then pruned. */
const KEEP_SETTLED_MS = 7 * 24 * 60 * 60_000
const PREVIEW_CHARS = 600
/** A fleet's servers see endpoints another server added (or removed) within this long. */
const FLEET_REFRESH_MS = 2_000

export interface WebhookOptions {
  /** Private and link-local targets (--webhooks-allow-private). */
  allowPrivate?: boolean
  retry?: Partial<RetryPolicy>
  timeoutMs?: number
  maxInFlight?: number
}

export interface WebhookServiceDeps extends WebhookOptions {
  outbox: Outbox
  sealer: Sealer
  logger: Logger
  now?: () => number
}

export interface WebhookService {
  /** The bus the sessions emit on: subscribed events reach the outbox first, then `bus`. */
  capture(bus: EventBus): EventBus
  add(input: { url: string; events: WebhookEvent[]; secret?: string | undefined }): Promise<{ id: string; url: string; events: WebhookEvent[]; secret: string }>
  list(): Promise<WebhookSummary[]>
  remove(id: string): Promise<void>
  deliveries(filter: { id?: string | undefined; status?: DeliveryStatus | undefined; limit?: number | undefined }): Promise<WebhookDelivery[]>
  redeliver(deliveryId: string): Promise<WebhookDelivery>
  test(id: string): Promise<WebhookDelivery>
  /** Resolves when no attempt is in flight (tests and the benchmark). */
  idle(): Promise<void>
  /** Stops sending (what was in flight stays pending) after events still being written (PostgreSQL) are in. */
  close(): Promise<void>
}

/** The payload as sealed in the outbox; the body adds the delivery id and the attempt's timestamp. */
interface StoredEvent {
  event: string
  account: string | null
  data: unknown
}

export async function createWebhookService(deps: WebhookServiceDeps): Promise<WebhookService> {
  const { outbox, sealer, logger } = deps
  const now = deps.now ?? Date.now
  const allowPrivate = deps.allowPrivate ?? false
  const retry = { ...DEFAULT_RETRY, ...deps.retry }
  const maxInFlight = deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const poster = createPoster({ timeoutMs, allowPrivate, maxSocketsPerHost: maxInFlight * 4 })
  const secrets = new Map<string, string>()
  /** event name → endpoint ids: an event nobody subscribes to costs one map lookup. */
  let subscriptions = new Map<string, string[]>()
  let endpoints = new Map<string, WebhookRow>()

  const secretAad = (id: string) => Buffer.from(`webhook-secret:${id}`)
  const payloadAad = (deliveryId: string) => Buffer.from(`webhook-payload:${deliveryId}`)

  async function reload(): Promise<void> {
    endpoints = new Map((await outbox.webhooks()).map((row) => [row.id, row]))
    const next = new Map<string, string[]>()
    for (const row of endpoints.values()) {
      for (const event of JSON.parse(row.events) as string[]) next.set(event, [...(next.get(event) ?? []), row.id])
    }
    subscriptions = next
  }

  function secretOf(id: string): string {
    let secret = secrets.get(id)
    if (secret === undefined) {
      const row = endpoints.get(id)
      if (!row) throw new AppError('not-found', `There is no webhook ${id}.`)
      try {
        secret = sealer.open(row.secret, secretAad(id)).toString('utf8')
      } catch (err) {
        throw new AppError('storage-corrupt', `The secret of webhook ${id} cannot be decrypted; remove the webhook and add it again.`, { cause: err })
      }
      secrets.set(id, secret)
    }
    return secret
  }

  function openPayload(row: OutboxRow): StoredEvent {
    return JSON.parse(sealer.open(row.payload, payloadAad(row.deliveryId)).toString('utf8')) as StoredEvent
  }

  function bodyOf(row: OutboxRow, stored: StoredEvent, timestamp: number): string {
    return JSON.stringify({ id: row.deliveryId, event: stored.event, account: stored.account, timestamp, occurredAt: row.createdAt, data: stored.data })
  }

  function attempt(row: OutboxRow) {
    let body: string
    let secret: string
    try {
      body = bodyOf(row, openPayload(row), now())
      secret = secretOf(row.webhookId)
    } catch (err) {
      logger.error({ err: String(err), webhook: row.webhookId }, 'a webhook delivery cannot be opened')
      return Promise.resolve({ ok: false, statusCode: null, error: 'the stored event cannot be decrypted', response: null, durationMs: 0 })
    }
    const endpoint = endpoints.get(row.webhookId)
    if (!endpoint) return Promise.resolve({ ok: false, statusCode: null, error: 'the webhook was removed', response: null, durationMs: 0 })
    return poster.post(
      endpoint.url,
      { [EVENT_HEADER]: row.event, [DELIVERY_HEADER]: row.deliveryId, [SIGNATURE_HEADER]: sign(secret, body) },
      body,
    )
  }

  function rowsFor(event: string, account: string | null, data: unknown, webhookIds: string[]): OutboxInsert[] {
    const createdAt = now()
    const messageId = event === 'accounts:message' ? (data as { id?: unknown }).id : undefined
    return webhookIds.map((webhookId) => {
      // One message, one delivery id per endpoint, however often it is reported (WhatsApp delivers a
      // message again after a restart or a failover): the outbox skips the repeat.
      const deliveryId = typeof messageId === 'string' && messageId !== '' ? uuidFrom(`${webhookId}\0${account}\0${messageId}`) : randomUUID()
      const stored: StoredEvent = { event, account, data }
      return {
        deliveryId,
        webhookId,
        lane: account ?? '',
        event,
        payload: sealer.seal(Buffer.from(JSON.stringify(stored)), payloadAad(deliveryId)),
        createdAt,
      }
    })
  }

  function toDelivery(row: OutboxRow): WebhookDelivery {
    let preview: string
    try {
      preview = bodyOf(row, openPayload(row), row.lastAttemptAt ?? row.createdAt).slice(0, PREVIEW_CHARS)
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
  }

  // PostgreSQL: one INSERT at a time, each carrying every row emitted while the one before ran, so rows
  // get their seq in emit order (order per account) however many pool connections there are.
  let waiting: Array<{ rows: OutboxInsert[]; done: (err?: unknown) => void }> = []
  let writing: Promise<void> | null = null

  function startDrain(): void {
    writing = drain().finally(() => {
      writing = null
    })
  }

  async function drain(): Promise<void> {
    while (waiting.length > 0) {
      const batch = waiting
      waiting = []
      try {
        await outbox.enqueue(batch.flatMap((b) => b.rows))
        for (const b of batch) b.done()
      } catch (err) {
        for (const b of batch) b.done(err)
      }
      dispatcher.poke()
    }
  }

  function enqueue(rows: OutboxInsert[]): void | Promise<void> {
    if (outbox.kind === 'sqlite') {
      void outbox.enqueue(rows)
      dispatcher.poke()
      return
    }
    return new Promise<void>((resolve, reject) => {
      waiting.push({ rows, done: (err) => (err === undefined ? resolve() : reject(err)) })
      if (!writing) startDrain()
    })
  }

  function requireEndpoint(id: string): WebhookRow {
    const row = endpoints.get(id)
    if (!row) throw new AppError('not-found', `There is no webhook ${id}.`)
    return row
  }

  await reload()
  const fleet = outbox.kind === 'postgres'
  const dispatcher = createDispatcher({ outbox, attempt, now, retry, maxInFlight, timeoutMs, logger, ...(fleet ? { pollMs: 1000 } : {}) })
  const pruneSettled = (): void => {
    outbox.prune(now() - KEEP_SETTLED_MS).catch((err: unknown) => logger.warn({ err }, 'could not prune old webhook deliveries'))
  }
  pruneSettled()
  const pruneTimer = setInterval(pruneSettled, 60 * 60_000)
  pruneTimer.unref()
  const refreshTimer = fleet
    ? setInterval(() => void reload().catch((err: unknown) => logger.warn({ err }, 'could not read the webhook endpoints')), FLEET_REFRESH_MS)
    : null
  refreshTimer?.unref()
  // Whatever was pending when the process last stopped (or died) goes out now.
  dispatcher.poke()

  return {
    capture(bus) {
      return {
        subscribe: (listener) => bus.subscribe(listener),
        emit(event, payload) {
          const ids = subscriptions.get(event)
          if (ids && ids.length > 0) {
            const failed = (err: unknown): void => logger.error({ err, event }, 'could not write an event to the webhook outbox')
            try {
              // SQLite: written before this returns. PostgreSQL: one INSERT, on its way as the event goes on.
              void enqueue(rowsFor(event, accountOf(event, payload), payload, ids))?.catch(failed)
            } catch (err) {
              // The event still reaches the UI; the log says webhooks missed it.
              failed(err)
            }
          }
          bus.emit(event, payload)
        },
      }
    },
    async add(input) {
      const url = parseWebhookUrl(input.url, { allowPrivate })
      const events = [...new Set(input.events)]
      const secret = input.secret ?? newSecret()
      const id = `wh-${randomBytes(6).toString('hex')}`
      await outbox.insertWebhook({
        id,
        url,
        events: JSON.stringify(events),
        secret: sealer.seal(Buffer.from(secret, 'utf8'), secretAad(id)),
        createdAt: now(),
        lastSuccessAt: null,
        failuresInARow: 0,
        lastError: null,
      })
      await reload()
      logger.info({ webhook: id, events }, 'webhook added')
      return { id, url, events, secret }
    },
    async list() {
      // Health changes with every attempt: read it from the database, not the subscription cache.
      await reload()
      const counts = await outbox.counts()
      return [...endpoints.values()].map((row) => ({
        id: row.id,
        url: row.url,
        events: (JSON.parse(row.events) as string[]).filter(isWebhookEvent),
        createdAt: row.createdAt,
        lastSuccessAt: row.lastSuccessAt,
        failuresInARow: row.failuresInARow,
        lastError: row.lastError,
        pending: counts.get(row.id)?.pending ?? 0,
        dead: counts.get(row.id)?.dead ?? 0,
      }))
    },
    async remove(id) {
      await reload()
      requireEndpoint(id)
      await outbox.deleteWebhook(id)
      secrets.delete(id)
      await reload()
      logger.info({ webhook: id }, 'webhook removed')
    },
    async deliveries({ id, status, limit }) {
      if (id) {
        await reload()
        requireEndpoint(id)
      }
      const rows = await outbox.deliveries({ ...(id ? { webhookId: id } : {}), ...(status ? { status } : {}), limit: limit ?? 50 })
      return rows.map(toDelivery)
    },
    async redeliver(deliveryId) {
      const row = await outbox.byDeliveryId(deliveryId)
      if (!row) throw new AppError('not-found', `There is no delivery ${deliveryId}; it may have been pruned or its webhook removed.`)
      await outbox.requeue(deliveryId, now())
      dispatcher.poke()
      return toDelivery((await outbox.byDeliveryId(deliveryId))!)
    },
    async test(id) {
      await reload()
      requireEndpoint(id)
      const [row] = rowsFor(WEBHOOK_TEST_EVENT, null, { message: 'A test event from Irish Desktop.' }, [id])
      await enqueue([row!])
      return toDelivery((await outbox.byDeliveryId(row!.deliveryId))!)
    },
    idle: () => dispatcher.idle(),
    async close() {
      // Events the sessions emitted while stopping are written before the database closes.
      await writing
      clearInterval(pruneTimer)
      if (refreshTimer) clearInterval(refreshTimer)
      dispatcher.stop()
      poster.close()
    },
  }
}

/** A UUID-shaped id derived from `text`: the same text, the same id. */
function uuidFrom(text: string): string {
  const hex = createHash('sha256').update(text).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

function isWebhookEvent(value: string): value is WebhookEvent {
  return (WEBHOOK_EVENTS as readonly string[]).includes(value)
}

/** The account an event is about: its ordering lane. */
function accountOf(event: EventName, payload: unknown): string | null {
  const p = payload as { account?: unknown; id?: unknown }
  if (event === 'accounts:message') return typeof p.account === 'string' ? p.account : null
  return typeof p.id === 'string' ? p.id : null
}
