// Imports an account: from a session bundle file (read in the page, its metadata shown from
// transfer:inspect before anything is written, a conflict with an account here named, with the choice
// to replace it) or from a Baileys useMultiFileAuthState folder on the machine that runs the core.
// Every refusal (wrong passphrase, damaged file, conflict, too large) shows inside the dialog, which
// stays open with what was typed, so the operator fixes the one thing and tries again.

import { useEffect, useId, useRef, useState, type ChangeEvent, type FormEvent } from 'react'
import type { AccountSummary, CommandOutput } from '../../../shared/contract'
import { errorMessage, isAppError } from '../api/api-error'
import { useAccount, useImportBundle, useImportFolder, useInspectBundle } from '../api/hooks'
import { BUNDLE_EXTENSION, formatBytes, MAX_BUNDLE_FILE_BYTES, readFileAsBase64 } from '../lib/bundle-file'
import { formatPhone, isRunning, STATUS_VIEW } from '../lib/status'
import { formatDateTime, formatRelative, useNow } from '../lib/time'
import { Dialog } from './Dialog'
import { Choice, FormFooter } from './FormParts'
import { StatusBadge } from './StatusBadge'
import './transfer.css'

type Source = 'bundle' | 'folder'

type Inspected = CommandOutput<'transfer:inspect'>

/** The chosen file: reading it, read (with what inspect said), or refused before the core saw it. */
type Chosen =
  | { state: 'reading'; name: string }
  | { state: 'read'; name: string; size: number; base64: string; inspected: Inspected | null }
  | { state: 'failed'; name: string; message: string }

/** `initialFile`: a bundle the OS opened with the desktop app, chosen as if picked in the dialog. */
export function ImportDialog({ onClose, initialFile }: { onClose: () => void; initialFile?: File }) {
  const importBundle = useImportBundle()
  const importFolder = useImportFolder()
  const [imported, setImported] = useState<AccountSummary | null>(null)
  const pending = importBundle.isPending || importFolder.isPending
  return (
    <Dialog title="Import an account" onClose={onClose} busy={pending}>
      {imported === null ? (
        <ImportForm
          importBundle={importBundle}
          importFolder={importFolder}
          onImported={setImported}
          onCancel={onClose}
          {...(initialFile ? { initialFile } : {})}
        />
      ) : (
        <ImportDone summary={imported} onClose={onClose} />
      )}
    </Dialog>
  )
}

function ImportForm({
  importBundle,
  importFolder,
  onImported,
  onCancel,
  initialFile,
}: {
  importBundle: ReturnType<typeof useImportBundle>
  importFolder: ReturnType<typeof useImportFolder>
  onImported: (summary: AccountSummary) => void
  onCancel: () => void
  initialFile?: File
}) {
  const ids = { fileHelp: useId(), folderHelp: useId(), replaceHelp: useId(), problem: useId() }
  const inspect = useInspectBundle()
  const [source, setSource] = useState<Source>('bundle')
  const [chosen, setChosen] = useState<Chosen | null>(null)
  const [path, setPath] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [label, setLabel] = useState('')
  const [replace, setReplace] = useState(false)
  const [allowOlder, setAllowOlder] = useState(false)
  const [start, setStart] = useState(true)
  const [problem, setProblem] = useState<{ text: string; field: 'file' | 'passphrase' | 'path' } | null>(null)
  const fileRef = useRef<HTMLInputElement>(null)
  const passphraseRef = useRef<HTMLInputElement>(null)
  const pathRef = useRef<HTMLInputElement>(null)
  const replaceRef = useRef<HTMLInputElement>(null)
  // Counts file choices, so a slow read of an earlier file never overwrites a later one.
  const choice = useRef(0)

  const mutation = source === 'bundle' ? importBundle : importFolder
  const pending = importBundle.isPending || importFolder.isPending
  const busy = pending || chosen?.state === 'reading' || inspect.isPending
  const failure = mutation.error
  const conflict = isAppError(failure) && failure.code === 'conflict'
  const existing = chosen?.state === 'read' ? (chosen.inspected?.existing ?? null) : null
  const showReplace = source === 'folder' || existing !== null || conflict

  // After a refusal, the field to fix takes the focus: the passphrase after a wrong one, the replace
  // box after a conflict.
  useEffect(() => {
    if (!failure || !isAppError(failure)) return
    if (failure.code === 'conflict') replaceRef.current?.focus()
    else if (source === 'bundle' && /passphrase/i.test(failure.message)) {
      passphraseRef.current?.focus()
      passphraseRef.current?.select()
    }
  }, [failure, source])

  function choose(event: ChangeEvent<HTMLInputElement>): Promise<void> {
    return chooseFile(event.target.files?.[0])
  }

  // A bundle opened from the OS goes through the same checks and inspect as one picked here.
  const initialChosen = useRef(false)
  useEffect(() => {
    if (!initialFile || initialChosen.current) return
    initialChosen.current = true
    void chooseFile(initialFile)
  })

  async function chooseFile(file: File | undefined): Promise<void> {
    const mine = ++choice.current
    importBundle.reset()
    inspect.reset()
    setProblem(null)
    setReplace(false)
    if (!file) {
      setChosen(null)
      return
    }
    if (file.size > MAX_BUNDLE_FILE_BYTES) {
      setChosen({
        state: 'failed',
        name: file.name,
        message: `${file.name} is ${formatBytes(file.size)}: too large for a session bundle (at most ${formatBytes(MAX_BUNDLE_FILE_BYTES)}). Choose the ${BUNDLE_EXTENSION} file itself.`,
      })
      return
    }
    if (file.size === 0) {
      setChosen({ state: 'failed', name: file.name, message: `${file.name} is empty. Choose a session bundle (${BUNDLE_EXTENSION}) file.` })
      return
    }
    setChosen({ state: 'reading', name: file.name })
    let base64: string
    try {
      base64 = await readFileAsBase64(file)
    } catch {
      if (mine === choice.current) setChosen({ state: 'failed', name: file.name, message: `${file.name} could not be read. Choose it again.` })
      return
    }
    if (mine !== choice.current) return
    setChosen({ state: 'read', name: file.name, size: file.size, base64, inspected: null })
    inspect.mutate(base64, {
      onSuccess: (inspected) => {
        if (mine === choice.current) setChosen({ state: 'read', name: file.name, size: file.size, base64, inspected })
      },
    })
  }

  function chooseSource(next: Source): void {
    setSource(next)
    setProblem(null)
  }

  function submit(event: FormEvent): void {
    event.preventDefault()
    if (busy) return
    const common = {
      ...(label.trim() !== '' && !(showReplace && replace) ? { label: label.trim() } : {}),
      ...(showReplace && replace ? { replace: true } : {}),
      ...(showReplace && replace && allowOlder ? { allowOlder: true } : {}),
      start,
    }
    if (source === 'bundle') {
      if (chosen?.state !== 'read' || inspect.isError) {
        // A file that was chosen but cannot be used gets its own reason, never "choose a file first".
        const reason =
          chosen?.state === 'failed'
            ? chosen.message
            : inspect.isError
              ? `${chosen?.name ?? 'This file'} cannot be imported: ${errorMessage(inspect.error)}`
              : `Choose a session bundle (${BUNDLE_EXTENSION}) file first.`
        setProblem({ text: reason, field: 'file' })
        fileRef.current?.focus()
        return
      }
      if (passphrase === '') {
        setProblem({ text: 'Enter the passphrase the bundle was exported with.', field: 'passphrase' })
        passphraseRef.current?.focus()
        return
      }
      setProblem(null)
      importBundle.mutate({ bundle: chosen.base64, passphrase, ...common }, { onSuccess: onImported })
      return
    }
    if (!path.trim().startsWith('/') && !/^[A-Za-z]:[\\/]|^\\\\/.test(path.trim())) {
      setProblem({ text: "Give the folder's full path, such as /home/me/auth_info_baileys.", field: 'path' })
      pathRef.current?.focus()
      return
    }
    setProblem(null)
    importFolder.mutate({ path: path.trim(), ...common }, { onSuccess: onImported })
  }

  const invalid = (field: 'file' | 'passphrase' | 'path') =>
    problem?.field === field ? { 'aria-invalid': true as const, 'aria-errormessage': ids.problem } : {}

  const replaceBox = (
    <label className="check">
      <input
        ref={replaceRef}
        type="checkbox"
        name="replace"
        checked={replace}
        disabled={pending}
        aria-describedby={ids.replaceHelp}
        onChange={(event) => setReplace(event.target.checked)}
      />
      <span>
        Replace the account here
        <span id={ids.replaceHelp} className="choice-detail">
          {source === 'folder' ? 'If this phone is already here: stops it' : 'Stops it'} and swaps its keys for these, keeping its
          place in the list. Only if this is the newest copy: restoring an older snapshot over a newer session breaks it (messages
          stop decrypting, WhatsApp may log it out).
        </span>
      </span>
    </label>
  )
  // The core refuses a copy older than what this store has seen (its creds were written fewer times):
  // only the operator knows it is the right one, so it is their choice, off by default.
  const olderBox = showReplace && replace && (
    <label className="check">
      <input type="checkbox" name="allowOlder" checked={allowOlder} disabled={pending} onChange={(event) => setAllowOlder(event.target.checked)} />
      <span>
        Allow older state
        <span className="choice-detail">Only if you know this copy is the right one: an account that ran on after it was exported has newer keys.</span>
      </span>
    </label>
  )

  return (
    <form className="form" onSubmit={submit} aria-label="Import an account" noValidate>
      <Choice
        legend="Import from"
        name="source"
        value={source}
        onChange={chooseSource}
        disabled={pending}
        options={[
          { value: 'bundle', title: 'A bundle file', detail: `A ${BUNDLE_EXTENSION} file exported from Irish, and its passphrase.`, autoFocus: true },
          { value: 'folder', title: 'A Baileys folder', detail: 'The folder another Baileys program keeps its session in (useMultiFileAuthState).' },
        ]}
      />

      {source === 'bundle' ? (
        <>
          <label className="field">
            <span>Session bundle file</span>
            <input
              ref={fileRef}
              type="file"
              name="bundle"
              accept={`${BUNDLE_EXTENSION},application/octet-stream`}
              disabled={pending}
              aria-describedby={ids.fileHelp}
              onChange={(event) => void choose(event)}
              {...invalid('file')}
            />
          </label>
          <p id={ids.fileHelp} className="muted small">
            What the file says about itself shows first; nothing is written until its passphrase opens it.
          </p>
          {chosen?.state === 'reading' && (
            <p className="state state-loading" role="status">
              <span className="spinner" aria-hidden="true" />
              Reading {chosen.name}…
            </p>
          )}
          {chosen?.state === 'failed' && (
            <p className="inline-error" role="alert">
              {chosen.message}
            </p>
          )}
          {chosen?.state === 'read' && inspect.isPending && (
            <p className="state state-loading" role="status">
              <span className="spinner" aria-hidden="true" />
              Checking {chosen.name}…
            </p>
          )}
          {chosen?.state === 'read' && inspect.isError && (
            <p className="inline-error" role="alert">
              {chosen.name} cannot be imported: {errorMessage(inspect.error)}
            </p>
          )}
          {chosen?.state === 'read' && chosen.inspected && <BundleFacts name={chosen.name} size={chosen.size} inspected={chosen.inspected} />}
          {(existing !== null || conflict) && (
            <div className="notice notice-warn" role="region" aria-label="Conflict with an account here">
              <p>
                {existing ? (
                  <>
                    <strong>
                      This phone is already here as “{existing.label}” ({STATUS_VIEW[existing.status].label.toLowerCase()}).
                    </strong>{' '}
                    {isRunning(existing.status)
                      ? 'It is running: stop it first, or replace it.'
                      : existing.status === 'moved'
                        ? 'It is marked moved: if this bundle is the copy that ran elsewhere, replace it to bring it back.'
                        : 'Importing without replacing is refused.'}
                  </>
                ) : (
                  <strong>This phone is already here.</strong>
                )}
              </p>
              {replaceBox}
          {olderBox}
            </div>
          )}
          <label className="field">
            <span>Passphrase</span>
            <input
              ref={passphraseRef}
              type="password"
              name="passphrase"
              autoComplete="off"
              value={passphrase}
              maxLength={1024}
              disabled={pending}
              onChange={(event) => {
                setPassphrase(event.target.value)
                // "Wrong passphrase" is about the old text: it goes as soon as the passphrase changes.
                if (importBundle.isError) importBundle.reset()
                if (problem?.field === 'passphrase') setProblem(null)
              }}
              {...invalid('passphrase')}
            />
          </label>
        </>
      ) : (
        <>
          <label className="field">
            <span>Folder path</span>
            <input
              ref={pathRef}
              type="text"
              name="path"
              autoComplete="off"
              spellCheck={false}
              placeholder="/home/me/auth_info_baileys"
              value={path}
              maxLength={4096}
              disabled={pending}
              aria-describedby={ids.folderHelp}
              onChange={(event) => setPath(event.target.value)}
              {...invalid('path')}
            />
          </label>
          <div className="notice" id={ids.folderHelp} role="note" aria-label="About folders">
            <p>
              The full path on the machine that runs Irish (for a browser, the server's machine), of the folder holding creds.json.
              The folder is only read. <strong>Stop the program that uses it first:</strong> the folder and the import are two copies
              of one session, and running both logs both out.
            </p>
          </div>
          {replaceBox}
          {olderBox}
        </>
      )}

      {showReplace && replace ? (
        <p className="muted small">Replacing keeps the label of the account here.</p>
      ) : (
        <label className="field">
          <span>Label (optional)</span>
          <input
            type="text"
            name="label"
            autoComplete="off"
            value={label}
            maxLength={80}
            disabled={pending}
            placeholder={source === 'bundle' && chosen?.state === 'read' ? (chosen.inspected?.meta.accountName ?? '') : 'e.g. Support line'}
            onChange={(event) => setLabel(event.target.value)}
          />
        </label>
      )}
      <label className="check">
        <input type="checkbox" name="start" checked={start} disabled={pending} onChange={(event) => setStart(event.target.checked)} />
        <span>Start it after the import</span>
      </label>

      <FormFooter
        problem={problem}
        problemId={ids.problem}
        error={failure}
        pending={pending}
        progress="Importing… The passphrase check takes a few seconds."
        submitLabel={pending ? 'Importing…' : 'Import'}
        submitDisabled={busy}
        onCancel={onCancel}
      />
    </form>
  )
}

/** What a bundle says about itself before it is opened (a claim until the passphrase proves it). */
function BundleFacts({ name, size, inspected }: { name: string; size: number; inspected: Inspected }) {
  const now = useNow()
  const { meta } = inspected
  const exportedAt = Date.parse(meta.exportedAt)
  const keys = Object.entries(meta.keyCounts).sort(([a], [b]) => a.localeCompare(b))
  const total = keys.reduce((sum, [, n]) => sum + n, 0)
  return (
    <section className="bundle-facts" aria-label="Bundle contents">
      <p className="muted small">
        {name}, {formatBytes(size)}
      </p>
      <dl className="facts">
        <div>
          <dt>Phone</dt>
          <dd data-field="bundle-phone">{meta.accountPhone ?? <span className="muted">Not given</span>}</dd>
        </div>
        <div>
          <dt>Name</dt>
          <dd data-field="bundle-name">{meta.accountName ?? <span className="muted">Not given</span>}</dd>
        </div>
        <div>
          <dt>Exported</dt>
          <dd data-field="bundle-exported">
            {Number.isNaN(exportedAt) ? (
              meta.exportedAt
            ) : (
              <time dateTime={meta.exportedAt} title={formatRelative(exportedAt, now)}>
                {formatDateTime(exportedAt)}
              </time>
            )}
          </dd>
        </div>
        <div>
          <dt>App version</dt>
          <dd data-field="bundle-app-version">{meta.appVersion}</dd>
        </div>
        <div className="fact-wide">
          <dt>Keys</dt>
          <dd data-field="bundle-keys">
            {total.toLocaleString()} in all
            {keys.length > 0 && (
              <span className="muted"> ({keys.map(([type, count]) => `${type} ${count.toLocaleString()}`).join(', ')})</span>
            )}
          </dd>
        </div>
      </dl>
      {meta.exportMode === 'copy' && (
        <div className="notice notice-warn" role="note" aria-label="This bundle is a copy">
          This bundle was exported as a copy: the account may still be running where it came from. Stop it there
          before this one starts; two running copies break the session.
        </div>
      )}
    </section>
  )
}

function ImportDone({ summary, onClose }: { summary: AccountSummary; onClose: () => void }) {
  const live = useAccount(summary.id).data ?? summary
  const doneRef = useRef<HTMLButtonElement>(null)
  useEffect(() => doneRef.current?.focus(), [])
  return (
    <div className="import-done">
      <p className="success" role="status">
        Imported {live.label}
        {live.phone ? ` (${formatPhone(live.phone)})` : ''}.
      </p>
      <p className="import-status">
        Now: <StatusBadge status={live.status} />
      </p>
      {live.lastError && <p className="muted">{live.lastError}</p>}
      <div className="dialog-actions">
        <button type="button" className="primary" ref={doneRef} onClick={onClose}>
          Done
        </button>
      </div>
    </div>
  )
}
