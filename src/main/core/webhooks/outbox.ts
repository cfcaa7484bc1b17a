// The outbox port the webhook service and the dispatcher use; one implementation per database
// (sqlite-outbox.ts, pg-outbox.ts). Main process, Electron-free. Rows hold sealed values only.

import type { DeliveryStatus } from '../../../shared/contract'

export interface WebhookRow {
  id: string
  /** Sealed with the data key (db/seal-webhook-urls.ts). */
  sealedUrl: Buffer | null
  /** Only in a row an older version wrote, until the next open seals it; never written. */
  url: string | null
  events: string
  secret: Buffer
  createdAt: number
  lastSuccessAt: number | null
  failuresInARow: number
  lastError: string | null
}

export interface OutboxRow {
  seq: number
  deliveryId: string
  webhookId: string
  lane: string
  event: string
  payload: Buffer
  createdAt: number
  queuedAt: number
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: number
  lastAttemptAt: number | null
  statusCode: number | null
  error: string | null
  durationMs: number | null
  response: string | null
  /** PostgreSQL: the claim this row was taken under (null in SQLite and for rows not claimed). */
  claimId?: string | null
}

export type OutboxInsert = Pick<OutboxRow, 'deliveryId' | 'webhookId' | 'lane' | 'event' | 'payload' | 'createdAt'>

/** What an attempt says of its endpoint's health (the endpoint list's last success and failures in a row). */
export type HealthOutcome = { ok: true; at: number } | { ok: false; error: string }

/** How one attempt ended. */
export interface AttemptRecord {
  seq: number
  webhookId: string
  /** Written with the attempt, and only when the attempt is kept. */
  health: HealthOutcome
  status: DeliveryStatus
  at: number
  nextAttemptAt: number
  statusCode: number | null
  error: string | null
  durationMs: number
  response: string | null
  /** PostgreSQL: the claim the attempt was sent under; the record is dropped when it is no longer current. */
  claimId: string | null
}

export interface ClaimRequest {
  now: number
  limit: number
  /**
   * Rows this process is sending now or recording the outcome of (SQLite: they are still pending and
   * must not go out twice).
   */
  busy: ReadonlySet<number>
  /**
   * At most this many requests to one endpoint in flight: a pass claims only an endpoint's remaining room
   * (`maxPerWebhook` less its count in `inFlight`), so one busy endpoint never takes a pass from the others.
   */
  maxPerWebhook: number
  inFlight: ReadonlyMap<string, number>
  /** PostgreSQL: how long the claim lasts (database clock), past the attempt's timeout. */
  claimMs: number
}

export interface Outbox {
  /** 'sqlite' enqueues synchronously, inside the emitting step; 'postgres' is shared by a fleet. */
  kind: 'sqlite' | 'postgres'
  insertWebhook(row: WebhookRow): Promise<void>
  /** Deletes the endpoint and every row of its outbox. */
  deleteWebhook(id: string): Promise<boolean>
  webhooks(): Promise<WebhookRow[]>
  counts(): Promise<Map<string, { pending: number; dead: number }>>
  /**
   * Per lane (an account id), the deliveries that failed: given up on (dead), or still pending after a
   * failed attempt. Lanes without any are absent.
   */
  failuresByLane(lanes: readonly string[]): Promise<Map<string, number>>
  /** All of them or none (one transaction); a delivery id already there is skipped (a repeat). */
  enqueue(rows: OutboxInsert[]): void | Promise<void>
  /**
   * Due lane heads (the first pending row of an endpoint and lane: the only rows that may go out) for
   * this process to send, and when the next known one is due. PostgreSQL claims them for this server.
   */
  claim(request: ClaimRequest): Promise<{ rows: OutboxRow[]; nextAt: number | null }>
  /** Gives back claimed rows this process will not send now (its per-endpoint bound was reached). */
  release(seqs: number[]): Promise<void>
  /** Gives back every claim this server holds (a graceful stop), so other servers send those rows at once. */
  releaseAll(): Promise<void>
  /**
   * Writes the attempt and, when it is kept, the endpoint's health. PostgreSQL: ignored when the row's
   * claim is no longer `record.claimId` (it expired and another server took it, or this one claimed it
   * again). Resolves with whether the record was kept, once it is written.
   */
  recordAttempt(record: AttemptRecord): Promise<boolean>
  deliveries(filter: { webhookId?: string; status?: DeliveryStatus; limit: number }): Promise<OutboxRow[]>
  byDeliveryId(deliveryId: string): Promise<OutboxRow | null>
  /** Pending again from now on, a fresh 24 h window, same delivery id. */
  requeue(deliveryId: string, now: number): Promise<void>
  /** Deletes settled rows older than `before`. */
  prune(before: number): Promise<number>
}

