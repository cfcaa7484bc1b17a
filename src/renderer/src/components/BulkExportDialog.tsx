// Exports the selected accounts, one bundle file per account, all under one passphrase and one mode
// (move stops each here; copy keeps each running, with the same warning as a single export). One at a
// time, since each export holds its account's queue; the dialog shows "n of m" and names every file
// it saved, so the operator can tell which bundle is which account.

import { useId, useRef, useState, type FormEvent } from 'react'
import type { AccountSummary, TransferMode } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { MIN_PASSPHRASE_LENGTH } from '../../../shared/passphrase'
import { errorMessage } from '../api/api-error'
import { useExportToFile } from '../api/hooks'
import { saveBundle } from '../lib/bundle-file'
import { runBulk, type BulkProgress } from '../lib/bulk'
import { hasSession } from '../lib/status'
import { Dialog } from './Dialog'
import { Choice, FormFooter } from './FormParts'

export function BulkExportDialog({ accounts, onClose }: { accounts: readonly AccountSummary[]; onClose: () => void }) {
  const ids = { problem: useId(), passphrase: useId(), confirmation: useId() }
  const exportOne = useExportToFile()
  const [passphrase, setPassphrase] = useState('')
  const [confirmation, setConfirmation] = useState('')
  // Copy by default, as for one account: a backup must not stop anything. A move is chosen on purpose.
  const [mode, setMode] = useState<TransferMode>('copy')
  const [problem, setProblem] = useState<{ text: string } | null>(null)
  const [progress, setProgress] = useState<BulkProgress<AccountId> | null>(null)
  const [files, setFiles] = useState<string[]>([])
  const passphraseRef = useRef<HTMLInputElement>(null)
  const confirmationRef = useRef<HTMLInputElement>(null)
  // Only an account with a session here is exported. Fixed when the export starts: a moved account
  // drops out of `accounts` as the run goes on, and the counts must not shrink with it.
  const [started, setStarted] = useState<readonly AccountSummary[] | null>(null)
  const targets = started ?? accounts.filter(hasSession)
  const labels = new Map(accounts.map((a) => [a.id, a.label]))
  const running = progress !== null && progress.done < progress.total
  const finished = progress !== null && progress.done === progress.total

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault()
    if (running) return
    if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
      setProblem({ text: `The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.` })
      passphraseRef.current?.focus()
      return
    }
    if (confirmation !== passphrase) {
      setProblem({ text: 'The two passphrases differ. Type the same passphrase in both fields.' })
      confirmationRef.current?.focus()
      return
    }
    setProblem(null)
    setStarted(targets)
    const saved: string[] = []
    await runBulk(
      targets.map((a) => a.id),
      async (id) => {
        const result = await exportOne.mutateAsync({ id, passphrase, mode })
        saveBundle(result.fileName, result.bundle)
        saved.push(result.fileName)
        setFiles([...saved])
      },
      { concurrency: 1, describe: errorMessage, onProgress: setProgress },
    )
  }

  return (
    <Dialog title={`Export ${accounts.length} accounts`} onClose={onClose} busy={running}>
      <form onSubmit={(event) => void submit(event)} noValidate>
        <p>
          One bundle file per account, each under the passphrase below. {targets.length} of the {accounts.length} selected have a
          session to export{targets.length < accounts.length ? '; the others (not paired, logged out or moved) are skipped' : ''}.
        </p>
        <Choice
          legend="After the export"
          name="bulk-export-mode"
          value={mode}
          onChange={setMode}
          disabled={running || finished}
          options={[
            {
              value: 'copy',
              title: 'Copy',
              detail: 'Keep each running here: the files are backups. Never run a copy elsewhere at the same time: WhatsApp logs both out.',
            },
            { value: 'move', title: 'Move', detail: 'Stop each account here and mark it moved, so only the bundle runs elsewhere.' },
          ]}
        />
        <div className="field">
          <label htmlFor={ids.passphrase}>Passphrase</label>
          <input
            id={ids.passphrase}
            ref={passphraseRef}
            type="password"
            autoComplete="new-password"
            value={passphrase}
            disabled={running || finished}
            aria-errormessage={problem ? ids.problem : undefined}
            onChange={(event) => setPassphrase(event.target.value)}
            data-autofocus
          />
        </div>
        <div className="field">
          <label htmlFor={ids.confirmation}>Passphrase again</label>
          <input
            id={ids.confirmation}
            ref={confirmationRef}
            type="password"
            autoComplete="new-password"
            value={confirmation}
            disabled={running || finished}
            onChange={(event) => setConfirmation(event.target.value)}
          />
        </div>
        {progress && <BulkExportProgress progress={progress} files={files} labels={labels} />}
        {finished ? (
          <div className="dialog-actions">
            <button type="button" className="primary" onClick={onClose}>
              Done
            </button>
          </div>
        ) : (
          <FormFooter
            problem={problem}
            problemId={ids.problem}
            error={null}
            pending={running}
            progress={`Exporting ${Math.min((progress?.done ?? 0) + 1, targets.length)} of ${targets.length}…`}
            submitLabel={`Export ${targets.length}`}
            submitDisabled={running || targets.length === 0}
            onCancel={onClose}
          />
        )}
      </form>
    </Dialog>
  )
}

function BulkExportProgress({
  progress,
  files,
  labels,
}: {
  progress: BulkProgress<AccountId>
  files: readonly string[]
  labels: ReadonlyMap<AccountId, string>
}) {
  return (
    <div className="bulk-report">
      <progress max={Math.max(progress.total, 1)} value={progress.done} aria-label="Export progress" />
      {progress.done === progress.total && (
        <p role="status">
          Exported {progress.total - progress.failures.length} of {progress.total}.
        </p>
      )}
      {files.length > 0 && (
        <ul className="file-list" aria-label="Saved files">
          {files.map((name) => (
            <li key={name}>
              <code>{name}</code>
            </li>
          ))}
        </ul>
      )}
      {progress.failures.length > 0 && (
        <ul className="bulk-failures" aria-label="Failures">
          {progress.failures.map((f) => (
            <li key={f.key}>
              <strong>{labels.get(f.key) ?? f.key}</strong>: {f.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
