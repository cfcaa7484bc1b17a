// What can be done to the selected accounts at once: start, stop, log out (after asking), export
// (one bundle file per account) and set or clear their proxy (ProxyDialog). Start, stop and log out are a few accounts:bulk commands (the core
// runs each a few accounts at a time); export runs a few accounts at a time here. Each shows "n of m"
// while it runs, skips accounts for which the action makes no sense (and says how many), and lists
// what failed, account by account.

import { useState } from 'react'
import { MAX_BULK_IDS, type AccountSummary, type BulkAction } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { errorMessage } from '../api/api-error'
import { useBulkAccountAction } from '../api/hooks'
import { runChunked, type BulkProgress } from '../lib/bulk'
import { hasSession, isRunning } from '../lib/status'
import { BulkExportDialog } from './BulkExportDialog'
import { ConfirmDialog } from './ConfirmDialog'
import { ProxyDialog } from './ProxyDialog'

type BulkVerb = BulkAction

/**
 * Accounts per accounts:bulk call: a quarter of the selection, at least 50, so the count moves a few
 * times while each call is large enough to cost little (each answer re-renders the table: with 445
 * accounts, 9 calls of 50 took 1.7 s in the 500-account spec, 4 of 112 about 1.1 s).
 */
function chunkSize(total: number): number {
  return Math.min(MAX_BULK_IDS, Math.max(50, Math.ceil(total / 4)))
}

const VERBS: Record<BulkVerb, { button: string; running: string; done: string; applies: (a: AccountSummary) => boolean }> = {
  start: { button: 'Start', running: 'Starting', done: 'Started', applies: (a) => !isRunning(a.status) && a.status !== 'moved' },
  stop: { button: 'Stop', running: 'Stopping', done: 'Stopped', applies: (a) => isRunning(a.status) },
  logout: {
    button: 'Log out…',
    running: 'Logging out',
    done: 'Logged out',
    applies: hasSession,
  },
}

interface Run {
  verb: BulkVerb | 'export'
  skipped: number
  progress: BulkProgress<AccountId>
  finished: boolean
}

export function BulkBar({ selected, onClear }: { selected: readonly AccountSummary[]; onClear: () => void }) {
  const runBulkAction = useBulkAccountAction()
  const [run, setRun] = useState<Run | null>(null)
  const [asking, setAsking] = useState<'logout' | 'export' | 'proxy' | null>(null)
  const busy = run !== null && !run.finished
  const labels = new Map(selected.map((a) => [a.id, a.label]))

  async function start(verb: BulkVerb): Promise<void> {
    const targets = selected.filter(VERBS[verb].applies).map((a) => a.id)
    const skipped = selected.length - targets.length
    const first = { done: 0, total: targets.length, failures: [] }
    setRun({ verb, skipped, progress: first, finished: false })
    const result = await runChunked(
      targets,
      async (chunk) => (await runBulkAction(chunk, verb)).map((r) => ({ key: r.id, failure: r.ok ? null : (r.error?.message ?? 'It failed.') })),
      {
        chunkSize: chunkSize(targets.length),
        describe: errorMessage,
        onProgress: (progress) => setRun({ verb, skipped, progress, finished: false }),
      },
    )
    setRun({ verb, skipped, progress: result, finished: true })
  }

  if (selected.length === 0 && run === null) return null
  return (
    <div className="bulk-bar" role="region" aria-label="Selected accounts">
      <p className="bulk-count">
        <strong>{selected.length}</strong> selected
      </p>
      <div className="toolbar" role="group" aria-label="Actions for the selected accounts">
        <button type="button" disabled={busy || selected.length === 0} onClick={() => void start('start')}>
          Start
        </button>
        <button type="button" disabled={busy || selected.length === 0} onClick={() => void start('stop')}>
          Stop
        </button>
        <button type="button" disabled={busy || selected.length === 0} onClick={() => setAsking('logout')}>
          Log out…
        </button>
        <button type="button" disabled={busy || selected.length === 0} onClick={() => setAsking('export')}>
          Export…
        </button>
        <button type="button" disabled={busy || selected.length === 0} onClick={() => setAsking('proxy')}>
          Proxy…
        </button>
        <button type="button" className="link-button" disabled={busy} onClick={onClear}>
          Clear selection
        </button>
      </div>
      {run && <BulkReport run={run} labels={labels} onDismiss={() => setRun(null)} />}

      {asking === 'logout' && (
        <ConfirmDialog
          title={`Log out ${selected.filter(VERBS.logout.applies).length} accounts?`}
          confirmLabel="Log out all"
          onConfirm={async () => void start('logout')}
          onClose={() => setAsking(null)}
        >
          <p>
            WhatsApp drops each of these linked devices and their keys are deleted here. They stay in the list; each must be paired
            again with a new QR code. Accounts not paired, already logged out or moved are skipped.
          </p>
        </ConfirmDialog>
      )}
      {asking === 'export' && <BulkExportDialog accounts={selected} onClose={() => setAsking(null)} />}
      {asking === 'proxy' && <ProxyDialog accounts={selected} onClose={() => setAsking(null)} />}
    </div>
  )
}

function BulkReport({ run, labels, onDismiss }: { run: Run; labels: ReadonlyMap<AccountId, string>; onDismiss: () => void }) {
  const { done, total, failures } = run.progress
  const words = run.verb === 'export' ? { running: 'Exporting', done: 'Exported' } : VERBS[run.verb]
  return (
    <div className="bulk-report">
      <p role="status" aria-live="polite">
        {run.finished ? `${words.done} ${total - failures.length} of ${total}.` : `${words.running}: ${done} of ${total} done…`}
        {run.skipped > 0 && ` ${run.skipped} skipped: the action does not apply to them.`}
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
