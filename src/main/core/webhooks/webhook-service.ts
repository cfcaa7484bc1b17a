// Webhooks (docs/webhooks.md): the commands, and the wiring of the endpoints (endpoints.ts), the events as
// stored (stored-events.ts), the outbox writer (outbox-writer.ts) and delivery (dispatcher.ts, post.ts).
// `capture` wraps the event bus the sessions emit on: an event an endpoint subscribes to is written to the
// outbox (sealed) in the same synchronous step that emits it, before any listener sees it. Main process,
// Electron-free.
// Secrets are returned once by add and never logged or listed; payloads are never logged.

import { randomBytes } from 'node:crypto'
import { accountOf, WEBHOOK_TEST_EVENT, type DeliveryStatus, type WebhookDelivery, type WebhookEvent, type WebhookSummary } from '../../../shared/contract'
import { AppError } from '../../../shared/errors'
import type { Sealer } from '../crypto/sealer'
import { allRecorded, type EventBus } from '../events'
import type { Logger } from '../logger'
import { createDispatcher, DEFAULT_MAX_IN_FLIGHT, DEFAULT_RETRY, type RetryPolicy } from './dispatcher'
import { createEndpoints } from './endpoints'
import type { Outbox, OutboxRow } from './outbox'
import { createOutboxWriter } from './outbox-writer'
import { createPoster, type PostOutcome } from './post'
import { DELIVERY_HEADER, EVENT_HEADER, newSecret, sign, SIGNATURE_HEADER } from './signing'
import { createStoredEvents } from './stored-events'
import { parseWebhookUrl } from './url-policy'

export const DEFAULT_TIMEOUT_MS = 10_000
/** Delivered and dead rows are kept this long for the deliveries view, then pruned. */
const KEEP_SETTLED_MS = 7 * 24 * 60 * 60_000
/** A fleet's servers read the endpoints again this often, for those another server added or removed. */
const FLEET_REFRESH_MS = 2_000
/**
 * A fleet server's list of endpoints older than this (its reads failed: the database was away) is read
 * again before an event is written with it; an event is never written for the endpoints of minutes ago.
 * So a server sees an endpoint another one added within this long, whatever happened in between.
 */
export const FLEET_ENDPOINTS_STALE_MS = 2 * FLEET_REFRESH_MS

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
  /** Monotonic milliseconds, for the age of the endpoint list (tests move it). */
  monotonic?: () => number
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
  /** Per account, its events' deliveries that failed (given up, or pending after a failed attempt); absent: none. */
  failures(accounts: readonly string[]): Promise<Map<string, number>>
  /** Resolves when no attempt is in flight (tests and the benchmark). */
  idle(): Promise<void>
  /** Stops sending (what was in flight stays pending) after events still being written (PostgreSQL) are in. */
  close(): Promise<void>
}

export async function createWebhookService(deps: WebhookServiceDeps): Promise<WebhookService> {
  const { outbox, sealer, logger } = deps
  const now = deps.now ?? Date.now
  const allowPrivate = deps.allowPrivate ?? false
  const retry = { ...DEFAULT_RETRY, ...deps.retry }
  const maxInFlight = deps.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const poster = createPoster({ timeoutMs, allowPrivate, maxSocketsPerHost: maxInFlight * 4 })
  const endpoints = createEndpoints(outbox, sealer, deps.monotonic)
  const stored = createStoredEvents(sealer)

  async function attempt(row: OutboxRow, mayStart: () => boolean): Promise<PostOutcome | null> {
    // In a fleet another server may have added the endpoint since this one last read the list.
    if (!endpoints.get(row.webhookId)) await endpoints.reload()
    const endpoint = endpoints.get(row.webhookId)
    if (!endpoint) return { ok: false, statusCode: null, error: 'the webhook was removed', response: null, durationMs: 0 }
    let body: string
    let secret: string
    let url: string
    try {
      body = stored.bodyOf(row, now())
      secret = endpoints.secretOf(row.webhookId)
      url = endpoints.urlOf(row.webhookId)
    } catch (err) {
      logger.error({ err: String(err), webhook: row.webhookId }, 'a webhook delivery cannot be opened')
      return { ok: false, statusCode: null, error: 'the stored event cannot be decrypted', response: null, durationMs: 0 }
    }
    // The reload above may have waited on the database: a claim too old to cover a whole attempt goes back.
    if (!mayStart()) return null
    return poster.post(
      url,
      { [EVENT_HEADER]: row.event, [DELIVERY_HEADER]: row.deliveryId, [SIGNATURE_HEADER]: sign(secret, body) },
      body,
    )
  }

  await endpoints.reload()
  const fleet = outbox.kind === 'postgres'
  const dispatcher = createDispatcher({ outbox, attempt, now, retry, maxInFlight, timeoutMs, logger, ...(fleet ? { pollMs: 1000 } : {}) })
  const writer = createOutboxWriter(outbox, () => dispatcher.poke())
  const pruneSettled = (): void => {
    outbox.prune(now() - KEEP_SETTLED_MS).catch((err: unknown) => logger.warn({ err }, 'could not prune old webhook deliveries'))
  }
  pruneSettled()
  const pruneTimer = setInterval(pruneSettled, 60 * 60_000)
  pruneTimer.unref()
  const refreshTimer = fleet
    ? setInterval(() => void endpoints.reload().catch((err: unknown) => logger.warn({ err }, 'could not read the webhook endpoints')), FLEET_REFRESH_MS)
    : null
  refreshTimer?.unref()
  /**
   * In a fleet, null while the endpoint list is fresh; else one read, shared by every event emitted
   * until it settles, true when it succeeded. An event whose read failed is not recorded (the emit says
   * so): a message's receipt then waits and it is written once the database answers
   * (sessions/messaging.ts), rather than written for the endpoints of before the outage.
   */
  let reading: Promise<boolean> | null = null
  function freshList(): Promise<boolean> | null {
    if (!fleet) return null
    if (reading) return reading
    if (endpoints.age() < FLEET_ENDPOINTS_STALE_MS) return null
    reading = endpoints.reload().then(
      () => true,
      (err: unknown) => {
        logger.warn({ err }, 'could not read the webhook endpoints; events wait until they can be written for all of them')
        return false
      },
    )
    void reading.then(() => (reading = null))
    return reading
  }
  // Whatever was pending when the process last stopped (or died) goes out now.
  dispatcher.poke()

  return {
    capture(bus) {
      return {
        subscribe: (listener) => bus.subscribe(listener),
        emit(event, payload) {
          const write = (): Promise<boolean> | undefined => {
            const ids = endpoints.subscribers(event)
            if (!ids || ids.length === 0) return undefined
            const failed = (err: unknown): false => {
              logger.error({ err, event }, 'could not write an event to the webhook outbox')
              return false
            }
            try {
              // SQLite: written before this returns. PostgreSQL: one INSERT, on its way as the event goes on.
              return writer.write(stored.rowsFor(event, accountOf(event, payload), payload, ids, now()))?.then(() => true, failed)
            } catch (err) {
              // The event still reaches the UI; the log says webhooks missed it.
              return Promise.resolve(failed(err))
            }
          }
          // A stale list is read first; events wait for that read in emit order, so each account's stay in order.
          const read = freshList()
          const written = read ? read.then((fresh) => (fresh ? (write() ?? true) : false)) : write()
          const inner = bus.emit(event, payload)
          return written || inner ? allRecorded(written, inner) : undefined
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
        sealedUrl: endpoints.sealUrl(id, url),
        url: null,
        events: JSON.stringify(events),
        secret: endpoints.sealSecret(id, secret),
        createdAt: now(),
        lastSuccessAt: null,
        failuresInARow: 0,
        lastError: null,
      })
      await endpoints.reload()
      logger.info({ webhook: id, events }, 'webhook added')
      return { id, url, events, secret }
    },
    async list() {
      // Health changes with every attempt: read it from the database, not the subscription cache.
      await endpoints.reload()
      return endpoints.summaries(await outbox.counts())
    },
    async remove(id) {
      if (!(await outbox.deleteWebhook(id))) throw new AppError('not-found', `There is no webhook ${id}.`)
      endpoints.forget(id)
      await endpoints.reload()
      logger.info({ webhook: id }, 'webhook removed')
    },
    async deliveries({ id, status, limit }) {
      if (id) {
        await endpoints.reload()
        endpoints.require(id)
      }
      const rows = await outbox.deliveries({ ...(id ? { webhookId: id } : {}), ...(status ? { status } : {}), limit: limit ?? 50 })
      return rows.map(stored.toDelivery)
    },
    async redeliver(deliveryId) {
      const row = await outbox.byDeliveryId(deliveryId)
      if (!row) throw new AppError('not-found', `There is no delivery ${deliveryId}; it may have been pruned or its webhook removed.`)
      await outbox.requeue(deliveryId, now())
      dispatcher.poke()
      return stored.toDelivery((await outbox.byDeliveryId(deliveryId))!)
    },
    failures: (accounts) => outbox.failuresByLane(accounts),
    async test(id) {
      await endpoints.reload()
      endpoints.require(id)
      const [row] = stored.rowsFor(WEBHOOK_TEST_EVENT, null, { message: 'A test event from Irish Desktop.' }, [id], now())
      await writer.write([row!])
      return stored.toDelivery((await outbox.byDeliveryId(row!.deliveryId))!)
    },
    idle: () => dispatcher.idle(),
    async close() {
      // Events the sessions emitted while stopping are written before the database closes.
      await writer.settled()
      clearInterval(pruneTimer)
      if (refreshTimer) clearInterval(refreshTimer)
      dispatcher.stop()
      poster.close()
      // What was in flight stays pending; in a fleet another server sends it now rather than after the claim expires.
      await outbox.releaseAll().catch((err: unknown) => logger.warn({ err }, 'could not give back the webhook claims of this server'))
    },
  }
}
