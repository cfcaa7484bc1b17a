// Helpers for the session doctor's fault suites (test/doctor-*.test.ts): a world with a metrics registry
// beside the core, and the four places a condition shows (the account's summary, accounts:condition
// events, the activity log, /metrics). Test-only; framework-free, like sessions.ts.

import type { AccountCondition, ConditionChange, ConditionCode } from '../../src/shared/contract'
import type { AccountId } from '../../src/shared/ids'
import type { Core } from '../../src/main/core/create-core'
import { createMetrics, type Metrics } from '../../src/main/core/metrics/metrics'
import type { EventRecorder } from './sessions'
import { parsePrometheusText, samplesOf, valueOf } from './prometheus-text'

export function metricsFor(core: Core): Metrics {
  return createMetrics({ events: core.events, accounts: () => core.sessions.list(), leases: null })
}

/** One series of the core's /metrics text (0 when the series is absent: a counter never incremented). */
export async function metric(metrics: Metrics, name: string, labels: Record<string, string> = {}): Promise<number> {
  const samples = parsePrometheusText(await metrics.render())
  return samplesOf(samples, name, labels).length === 0 ? 0 : valueOf(samples, name, labels)
}

/** The accounts:condition events of one account recorded since `since`. */
export function conditionChanges(events: EventRecorder, id: AccountId, since = 0): ConditionChange[] {
  return events.payloads('accounts:condition', since).filter((p) => p.id === id)
}

/** Waits for the account's condition to become `code` (or null) after `since`; returns the event's condition. */
export async function nextCondition(
  events: EventRecorder,
  id: AccountId,
  code: ConditionCode | null,
  options: { since?: number; timeoutMs?: number } = {},
): Promise<AccountCondition | null> {
  const message = await events.next(
    (m) => m.event === 'accounts:condition' && m.payload.id === id && (m.payload.condition?.code ?? null) === code,
    { since: options.since ?? events.mark(), timeoutMs: options.timeoutMs ?? 15_000, what: `account ${id} to show condition ${code ?? 'none'}` },
  )
  return message.event === 'accounts:condition' ? message.payload.condition : null
}

/** The account's condition lines in its activity log, oldest first. */
export async function conditionLog(core: Core, id: AccountId): Promise<string[]> {
  await core.activity.settled()
  return (await core.activity.list(id, 200))
    .filter((e) => e.kind === 'condition')
    .reverse()
    .map((e) => e.message)
}

export function conditionOf(core: Core, id: AccountId): AccountCondition | null {
  const account = core.sessions.list().find((a) => a.id === id)
  if (!account) throw new Error(`no account ${id}`)
  return account.condition
}
