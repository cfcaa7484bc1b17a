// Needs attention (#/attention): every account with a condition, grouped by what is wrong, most urgent
// first (docs/session-doctor.md). Each group says what happened in the core's words, what to do, and
// offers that remedy once for the whole group: re-pair, restart, start again, or the time to wait
// until. Events keep it current: an account leaves its group the moment its condition ends.

import { useId, useMemo, useState } from 'react'
import type { AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { errorMessage } from '../api/api-error'
import { useAccounts, useBulkAccountAction } from '../api/hooks'
import { ConfirmDialog } from '../components/ConfirmDialog'
import { ConditionChip } from '../components/doctor/ConditionChip'
import '../components/doctor/doctor.css'
import { EmptyState, ErrorState, Loading } from '../components/States'
import { StatusBadge } from '../components/StatusBadge'
import { ViewHeading } from '../components/ViewHeading'
import { runChunked, type BulkProgress } from '../lib/bulk'
import { groupByCondition, latestUntil, remedyFor, type ConditionGroup } from '../lib/conditions'
import { formatPhone } from '../lib/status'
import { formatDateTime, formatRelative, useNow } from '../lib/time'

export function AttentionView({ onOpenAccount }: { onOpenAccount: (id: AccountId) => void }) {
  const accounts = useAccounts()
  const groups = useMemo(() => groupByCondition(accounts.data ?? []), [accounts.data])
  const total = groups.reduce((n, g) => n + g.accounts.length, 0)

  return (
    <section className="view attention" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Needs attention</ViewHeading>
        {accounts.isSuccess && total > 0 && (
          <p className="view-summary" role="status">
            {total} {total === 1 ? 'account needs' : 'accounts need'} attention, in {groups.length} {groups.length === 1 ? 'group' : 'groups'}.
          </p>
        )}
      </div>
      {accounts.isPending && <Loading what="the accounts" />}
      {accounts.isError && <ErrorState what="the accounts" error={accounts.error} onRetry={() => void accounts.refetch()} />}
      {accounts.isSuccess && total === 0 && (
        <EmptyState title="Nothing needs attention">
          <p>Every account is fine, or stopped on purpose. Accounts show up here when WhatsApp logs them out, bans or limits them, or their connection or messages go wrong.</p>
        </EmptyState>
      )}
      {groups.map((group) => (
        <GroupPanel key={group.code} group={group} onOpenAccount={onOpenAccount} />
      ))}
    </section>
  )
}

interface Run {
  progress: BulkProgress<AccountId>
  finished: boolean
}

function GroupPanel({ group, onOpenAccount }: { group: ConditionGroup; onOpenAccount: (id: AccountId) => void }) {
  const headingId = useId()
  const now = useNow()
  const runBulk = useBulkAccountAction()
  const remedy = remedyFor(group.code)
  const [run, setRun] = useState<Run | null>(null)
  const [confirming, setConfirming] = useState(false)
  const labels = new Map(group.accounts.map((a) => [a.id, a.label]))
  const busy = run !== null && !run.finished
  const count = group.accounts.length

  async function apply(): Promise<void> {
    if (remedy.kind !== 'bulk') return
    const ids = group.accounts.map((a) => a.id)
    const result = await runChunked(
      ids,
      async (chunk) => (await runBulk(chunk, remedy.action)).map((r) => ({ key: r.id, failure: r.ok ? null : (r.error?.message ?? 'It failed.') })),
      { chunkSize: 50, describe: errorMessage, onProgress: (progress) => setRun({ progress, finished: false }) },
    )
    setRun({ progress: result, finished: true })
  }

  const until = remedy.kind === 'wait' ? latestUntil(group) : null
  return (
    <section className="panel attention-group" aria-labelledby={headingId} data-condition={group.code}>
      <header className="attention-group-header">
        <h3 id={headingId}>
          <ConditionChip code={group.code} title={group.title} /> <span className="attention-count">{count}</span>
        </h3>
        <div className="toolbar" role="group" aria-label={`What to do about: ${group.title}`}>
          {remedy.kind === 'bulk' && (
            <button
              type="button"
              className="primary"
              disabled={busy}
              onClick={() => (remedy.confirm ? setConfirming(true) : void apply())}
            >
              {remedy.label(count)}
            </button>
          )}
          {remedy.kind === 'wait' && (
            <p className="attention-wait" data-field="wait-until">
              {until !== null ? (
                <>
                  Wait until <time dateTime={new Date(until).toISOString()}>{formatDateTime(until)}</time> ({formatRelative(until, now)})
                </>
              ) : (
                'Wait: WhatsApp lifts the limit by itself'
              )}
            </p>
          )}
          {(remedy.kind === 'none' || remedy.kind === 'each') && <p className="muted attention-note">{remedy.note}</p>}
        </div>
      </header>
      <p className="attention-remedy">{group.remedy}</p>
      {run && remedy.kind === 'bulk' && (
        <div className="attention-run">
          <p role="status">
            {run.finished ? `${remedy.done} ${run.progress.done - run.progress.failures.length} of ${run.progress.total}.` : `${remedy.running} ${run.progress.done} of ${run.progress.total}…`}
          </p>
          {run.progress.failures.length > 0 && (
            <ul className="bulk-failures" aria-label="What did not work">
              {run.progress.failures.map((f) => (
                <li key={f.key}>
                  <strong>{labels.get(f.key) ?? f.key}</strong>: {f.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <GroupTable group={group} onOpenAccount={onOpenAccount} now={now} />
      {confirming && remedy.kind === 'bulk' && remedy.confirm && (
        <ConfirmDialog title={`${remedy.label(count).replace('…', '')}?`} confirmLabel={remedy.label(count).replace('…', '')} onConfirm={apply} onClose={() => setConfirming(false)}>
          <p>{remedy.confirm}</p>
        </ConfirmDialog>
      )}
    </section>
  )
}

function GroupTable({ group, onOpenAccount, now }: { group: ConditionGroup; onOpenAccount: (id: AccountId) => void; now: number }) {
  return (
    <div className="table-scroll attention-scroll" tabIndex={0} role="region" aria-label={`Accounts: ${group.title}`}>
      <table className="data-table attention-table">
        <caption className="visually-hidden">Accounts with this condition: {group.title}</caption>
        <thead>
          <tr>
            <th scope="col">Account</th>
            <th scope="col">Status</th>
            <th scope="col">What happened</th>
            <th scope="col">Since</th>
            <th scope="col">The app is</th>
          </tr>
        </thead>
        <tbody>
          {group.accounts.map((account) => (
            <GroupRow key={account.id} account={account} onOpen={() => onOpenAccount(account.id)} now={now} />
          ))}
        </tbody>
      </table>
    </div>
  )
}

function GroupRow({ account, onOpen, now }: { account: AccountSummary; onOpen: () => void; now: number }) {
  const condition = account.condition!
  return (
    <tr data-account={account.id}>
      <th scope="row">
        <button type="button" className="link-button" onClick={onOpen}>
          {account.label}
        </button>
        {account.phone && <span className="muted small attention-phone">{formatPhone(account.phone)}</span>}
      </th>
      <td>
        <StatusBadge status={account.status} />
      </td>
      <td className="attention-detail">{condition.detail}</td>
      <td>
        <time dateTime={new Date(condition.since).toISOString()} title={formatDateTime(condition.since)}>
          {formatRelative(condition.since, now)}
        </time>
      </td>
      <td>{condition.automatic ?? <span className="muted">Nothing: it waits for you</span>}</td>
    </tr>
  )
}
