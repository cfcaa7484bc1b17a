// What can be done to the selected accounts at once: start, stop, restart, log out (after asking), tags,
// export (one bundle file per account) and their proxy (ProxyDialog: set, or connect directly). Start, stop, restart and log out are a few accounts:bulk
// commands (the core runs each a few accounts at a time). Before any of them the bar asks when the view
// hides some of the selection, and a start or restart asks before it reaches replaced accounts and
// leaves logged-out ones to be paired again one by one. Each shows "n of m" while it runs, skips
// accounts for which the action makes no sense (and says how many), lists what failed, and clears the
// selection when it is done.

import { useState } from 'react'
import { MAX_BULK_IDS, type AccountSummary, type BulkAction } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { errorMessage } from '../../api/api-error'
import { useBulkAccountAction } from '../../api/hooks'
import { runChunked, type BulkProgress } from '../../lib/bulk'
import { plural } from '../../lib/plural'
import { hasSession, isHeldBack, isRunning } from '../../lib/status'
import { BulkExportDialog } from '../BulkExportDialog'
import { ConfirmDialog } from '../ConfirmDialog'
import { ProxyDialog } from '../ProxyDialog'
import { HiddenSelectionDialog, StartWarningDialog, type BulkVerb } from './BulkDialogs'
import { TagsDialog } from './TagsDialog'

/**
 * Accounts per accounts:bulk call: a quarter of the selection, at least 50, so the count moves a few
 * times while each call is large enough to cost little (each answer re-renders the table: with 445
 * accounts, 9 calls of 50 took 1.7 s in the 500-account spec, 4 of 112 about 1.1 s).
 */
function chunkSize(total: number): number {
  return Math.min(MAX_BULK_IDS, Math.max(50, Math.ceil(total / 4)))
}

const ACTIONS: Record<BulkAction, { running: string; done: string; applies: (a: AccountSummary) => boolean }> = {
  start: { running: 'Starting', done: 'Started', applies: (a) => !isRunning(a.status) && a.status !== 'moved' && a.status !== 'logged-out' },
  stop: { running: 'Stopping', done: 'Stopped', applies: (a) => isRunning(a.status) },
  restart: { running: 'Restarting', done: 'Restarted', applies: (a) => a.status !== 'moved' && a.status !== 'logged-out' && a.status !== 'new' },
  logout: { running: 'Logging out', done: 'Logged out', applies: hasSession },
  // Offered by the Needs attention view (views/AttentionView.tsx), not by this bar.
  repair: { running: 'Re-pairing', done: 'Re-paired', applies: isHeldBack },
}

interface Run {
  action: BulkAction
  skipped: number
  progress: BulkProgress<AccountId>
  finished: boolean
}

/** What the bar is asking before an action, if anything. */
type Asking =
  | { kind: 'hidden'; verb: BulkVerb }
  | { kind: 'start-warning'; verb: 'start' | 'restart'; targets: AccountSummary[] }
  | { kind: 'logout'; targets: AccountSummary[] }
  | { kind: 'tags'; targets: AccountSummary[] }
  | { kind: 'export'; targets: AccountSummary[] }
  | { kind: 'proxy'; targets: AccountSummary[] }

export interface BulkBarProps {
  byId: ReadonlyMap<AccountId, AccountSummary>
  /** The selected accounts the view shows, and those it hides (both still existing). */
  visible: readonly AccountId[]
  hidden: readonly AccountId[]
  /** How many accounts the view shows: "Select all N matching" offers them. */
  matching: number
  onSelectAllMatching: () => void
  onDropHidden: () => void
  onClear: () => void
  /** Logged-out accounts to pair again one by one (RepairQueue). */
  onRepair: (ids: AccountId[]) => void
}

export function BulkBar({ byId, visible, hidden, matching, onSelectAllMatching, onDropHidden, onClear, onRepair }: BulkBarProps) {
  const runBulkAction = useBulkAccountAction()
  const [run, setRun] = useState<Run | null>(null)
  const [asking, setAsking] = useState<Asking | null>(null)
  const busy = run !== null && !run.finished
  const total = visible.length + hidden.length
  const accountsOf = (ids: readonly AccountId[]): AccountSummary[] => ids.map((id) => byId.get(id)).filter((a): a is AccountSummary => a !== undefined)

  /** First question: the hidden part of the selection, if any. Then on to the action's own. */
  function begin(verb: BulkVerb, which?: 'visible' | 'all'): void {
    if (hidden.length > 0 && which === undefined) {
      setAsking({ kind: 'hidden', verb })
      return
    }
    const targets = accountsOf(which === 'all' ? [...visible, ...hidden] : visible)
    setAsking(null)
    if (verb === 'start' || verb === 'restart') {
      const applicable = targets.filter((a) => a.status === 'logged-out' || a.status === 'replaced' || ACTIONS[verb].applies(a))
      if (applicable.some((a) => a.status === 'replaced' || a.status === 'logged-out')) {
        setAsking({ kind: 'start-warning', verb, targets: applicable })
        return
      }
      void execute(verb, targets)
    } else if (verb === 'stop') void execute('stop', targets)
    else if (verb === 'logout') setAsking({ kind: 'logout', targets })
    else if (verb === 'tags') setAsking({ kind: 'tags', targets })
    else if (verb === 'proxy') setAsking({ kind: 'proxy', targets })
    else setAsking({ kind: 'export', targets })
  }

  async function execute(action: BulkAction, targets: readonly AccountSummary[], alreadyChosen = false): Promise<void> {
    setAsking(null)
    const ids = (alreadyChosen ? targets : targets.filter(ACTIONS[action].applies)).map((a) => a.id)
    const skipped = targets.length - ids.length
    setRun({ action, skipped, progress: { done: 0, total: ids.length, failures: [] }, finished: false })
    const result = await runChunked(
      ids,
      async (chunk) => (await runBulkAction(chunk, action)).map((r) => ({ key: r.id, failure: r.ok ? null : (r.error?.message ?? 'It failed.') })),
      { chunkSize: chunkSize(ids.length), describe: errorMessage, onProgress: (progress) => setRun({ action, skipped, progress, finished: false }) },
    )
    setRun({ action, skipped, progress: result, finished: true })
    // Done: the selection goes, so the next action starts from a fresh choice (the report stays).
    onClear()
  }

  if (total === 0 && run === null) return null
  const labels = new Map([...byId].map(([id, a]) => [id, a.label]))
  return (
    <div className="bulk-bar" role="region" aria-label="Selected accounts">
      <p className="bulk-count" aria-live="polite">
        <strong>{total.toLocaleString()}</strong> selected
        {hidden.length > 0 && (
          <>
            , <strong className="bulk-hidden">{hidden.length.toLocaleString()} hidden</strong> by this view
          </>
        )}
      </p>
      <div className="toolbar" role="group" aria-label="Actions for the selected accounts">
        {(['start', 'stop', 'restart'] as const).map((verb) => (
          <button key={verb} type="button" disabled={busy || total === 0} onClick={() => begin(verb)}>
            {verb === 'start' ? 'Start' : verb === 'stop' ? 'Stop' : 'Restart'}
          </button>
        ))}
        <button type="button" disabled={busy || total === 0} onClick={() => begin('logout')}>
          Log out…
        </button>
        <button type="button" disabled={busy || total === 0} onClick={() => begin('tags')}>
          Tags…
        </button>
        <button type="button" disabled={busy || total === 0} onClick={() => begin('export')}>
          Export…
        </button>
        <button type="button" disabled={busy || total === 0} onClick={() => begin('proxy')}>
          Proxy…
        </button>
        {visible.length < matching && (
          <button type="button" className="link-button" disabled={busy} onClick={onSelectAllMatching}>
            Select all {matching.toLocaleString()} matching
          </button>
        )}
        {hidden.length > 0 && (
          <button type="button" className="link-button" disabled={busy} onClick={onDropHidden}>
            Unselect the hidden
          </button>
        )}
        <button type="button" className="link-button" disabled={busy || total === 0} onClick={onClear}>
          Clear selection
        </button>
      </div>
      {run && <BulkReport run={run} labels={labels} onDismiss={() => setRun(null)} />}

      {asking?.kind === 'hidden' && (
        <HiddenSelectionDialog verb={asking.verb} visible={visible.length} hidden={hidden.length} onChoose={(which) => begin(asking.verb, which)} onClose={() => setAsking(null)} />
      )}
      {asking?.kind === 'start-warning' && (
        <StartWarningDialog
          verb={asking.verb}
          targets={asking.targets}
          onConfirm={(ids) => void execute(asking.verb, accountsOf(ids), true)}
          onRepair={(ids) => {
            setAsking(null)
            onRepair(ids)
          }}
          onClose={() => setAsking(null)}
        />
      )}
      {asking?.kind === 'logout' && (
        <ConfirmDialog
          title={`Log out ${plural(asking.targets.filter(ACTIONS.logout.applies).length, 'account')}?`}
          confirmLabel={asking.targets.filter(ACTIONS.logout.applies).length === 1 ? 'Log out' : 'Log out all'}
          onConfirm={async () => void execute('logout', asking.targets)}
          onClose={() => setAsking(null)}
        >
          <p>
            WhatsApp drops each of these linked devices and their keys are deleted here. They stay in the list; each must be paired again with a
            new QR code. Accounts not paired, already logged out or moved are skipped.
          </p>
        </ConfirmDialog>
      )}
      {asking?.kind === 'tags' && <TagsDialog accounts={asking.targets} onClose={() => setAsking(null)} onDone={onClear} />}
      {asking?.kind === 'export' && <BulkExportDialog accounts={asking.targets} onClose={() => setAsking(null)} />}
      {asking?.kind === 'proxy' && <ProxyDialog accounts={asking.targets} onClose={() => setAsking(null)} onDone={onClear} />}
    </div>
  )
}

function BulkReport({ run, labels, onDismiss }: { run: Run; labels: ReadonlyMap<AccountId, string>; onDismiss: () => void }) {
  const { done, total, failures } = run.progress
  const words = ACTIONS[run.action]
  return (
    <div className="bulk-report">
      <p role="status" aria-live="polite">
        {run.finished ? `${words.done} ${total - failures.length} of ${total}.` : `${words.running}: ${done} of ${total} done…`}
        {run.skipped > 0 && ` ${plural(run.skipped, 'account')} skipped: the action does not apply to ${run.skipped === 1 ? 'it' : 'them'}.`}
      </p>
      {!run.finished && <progress max={Math.max(total, 1)} value={done} aria-label="Progress" />}
      {failures.length > 0 && (
        <ul className="bulk-failures" aria-label="Failures">
          {failures.map((f) => (
            <li key={f.key}>
              <strong>{labels.get(f.key) ?? f.key}</strong>: {f.message}
            </li>
          ))}
        </ul>
      )}
      {run.finished && (
        <button type="button" className="link-button" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  )
}
