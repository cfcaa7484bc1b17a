// An account's condition on its own page (docs/session-doctor.md): what is wrong in the core's words,
// what the app is doing about it, what to do, and until when; its history (the activity log's
// condition lines); and what the doctor counted on the server that runs it: decryption failures (and
// from whom), refused sends, stale sockets.

import type { AccountSummary } from '../../../../shared/contract'
import { useActivity, useHealth } from '../../api/hooks'
import { formatDateTime, formatRelative, useNow } from '../../lib/time'
import { ConditionChip } from './ConditionChip'
import './doctor.css'

export function ConditionPanel({ account }: { account: AccountSummary }) {
  const now = useNow()
  const condition = account.condition
  return (
    <section className="panel condition-panel" aria-labelledby="condition-heading">
      <h3 id="condition-heading">Condition</h3>
      {condition ? (
        <div className="condition-now" data-condition={condition.code}>
          <p>
            <ConditionChip code={condition.code} title={condition.title} />{' '}
            <span className="muted small">
              since{' '}
              <time dateTime={new Date(condition.since).toISOString()} title={formatDateTime(condition.since)}>
                {formatRelative(condition.since, now)}
              </time>
            </span>
          </p>
          <dl className="facts condition-facts">
            <div className="fact-wide">
              <dt>What happened</dt>
              <dd data-field="condition-detail">{condition.detail}</dd>
            </div>
            <div className="fact-wide">
              <dt>The app is</dt>
              <dd data-field="condition-automatic">{condition.automatic ?? 'Doing nothing about it: it waits for you.'}</dd>
            </div>
            <div className="fact-wide">
              <dt>What to do</dt>
              <dd data-field="condition-remedy">{condition.remedy}</dd>
            </div>
            {condition.until !== null && (
              <div>
                <dt>Until</dt>
                <dd data-field="condition-until">
                  <time dateTime={new Date(condition.until).toISOString()}>{formatDateTime(condition.until)}</time>
                </dd>
              </div>
            )}
          </dl>
        </div>
      ) : (
        <p className="ok-note" data-field="condition-none">
          Nothing is wrong with it.
        </p>
      )}
      <DoctorCounts account={account} />
      <ConditionHistory account={account} />
    </section>
  )
}

function DoctorCounts({ account }: { account: AccountSummary }) {
  const health = useHealth(account.id)
  const counts = health.data?.doctor
  if (!counts) return null
  return (
    <div className="doctor-counts">
      <h4>Counted since it started on this server</h4>
      <dl className="facts">
        <div>
          <dt>Decryption failures</dt>
          <dd data-field="decrypt-failures">{counts.decryptFailures}</dd>
        </div>
        <div>
          <dt>Resent and read</dt>
          <dd data-field="decrypt-recovered">{counts.decryptRecovered}</dd>
        </div>
        <div>
          <dt>Still waiting</dt>
          <dd data-field="decrypt-waiting">{counts.decryptWaiting}</dd>
        </div>
        <div>
          <dt>Sessions reset</dt>
          <dd data-field="session-resets">{counts.sessionResets}</dd>
        </div>
        <div>
          <dt>Sends refused</dt>
          <dd data-field="send-refusals">{counts.sendRefusals}</dd>
        </div>
        <div>
          <dt>Stale sockets replaced</dt>
          <dd data-field="stale-reconnects">{counts.staleReconnects}</dd>
        </div>
      </dl>
      {counts.failingSenders.length > 0 && (
        <table className="data-table failing-senders">
          <caption>Senders whose messages failed to decrypt, most first</caption>
          <thead>
            <tr>
              <th scope="col">Sender</th>
              <th scope="col" className="num">
                Failures
              </th>
            </tr>
          </thead>
          <tbody>
            {counts.failingSenders.map((s) => (
              <tr key={s.sender}>
                <th scope="row">{s.sender}</th>
                <td className="num">{s.failures}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  )
}

function ConditionHistory({ account }: { account: AccountSummary }) {
  const activity = useActivity(account.id)
  const lines = (activity.data ?? []).filter((e) => e.kind === 'condition')
  return (
    <div className="condition-history">
      <h4>History</h4>
      {lines.length === 0 ? (
        <p className="muted">No condition so far.</p>
      ) : (
        <ol className="condition-history-list" aria-label={`Conditions of ${account.label}, newest first`}>
          {lines.map((entry) => (
            <li key={entry.seq}>
              <time dateTime={new Date(entry.at).toISOString()}>{formatDateTime(entry.at)}</time> {entry.message}
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}
