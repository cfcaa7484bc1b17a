// Exports one account's session: to an encrypted bundle file (passphrase twice, with a live strength
// hint, and move or copy), or straight to another Irish server (its address and API token). A move
// stops the account here and marks it moved, so only one copy ever runs; a copy keeps it running here,
// and the dialog says plainly why both copies must never run at once. The file is saved through an
// ordinary browser download; the dialog says under which name, and can save it again.

import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react'
import type { AccountSummary, CommandOutput, TransferMode } from '../../../shared/contract'
import { MIN_PASSPHRASE_LENGTH } from '../../../shared/passphrase'
import { useExportToFile, useExportToServer } from '../api/hooks'
import { formatBytes, saveBundle } from '../lib/bundle-file'
import { formatPhone, STATUS_VIEW } from '../lib/status'
import { Dialog } from './Dialog'
import { Choice, FormFooter } from './FormParts'
import { PassphraseStrengthHint } from './PassphraseStrengthHint'
import './transfer.css'

type Destination = 'file' | 'server'

type Done =
  | { kind: 'file'; result: CommandOutput<'transfer:export'>; mode: TransferMode }
  | { kind: 'server'; result: CommandOutput<'transfer:export-to-server'>; url: string }

export function ExportDialog({ account, onClose }: { account: AccountSummary; onClose: () => void }) {
  const toFile = useExportToFile()
  const toServer = useExportToServer()
  const [done, setDone] = useState<Done | null>(null)
  const pending = toFile.isPending || toServer.isPending

  return (
    <Dialog title={`Export ${account.label}`} onClose={onClose} busy={pending}>
      {done === null ? (
        <ExportForm
          account={account}
          pending={pending}
          error={toFile.error ?? toServer.error}
          onFile={(passphrase, mode, includeProxy) => {
            toServer.reset()
            toFile.mutate(
              { id: account.id, passphrase, mode, ...(includeProxy ? { includeProxy } : {}) },
              {
                onSuccess: (result) => {
                  saveBundle(result.fileName, result.bundle)
                  setDone({ kind: 'file', result, mode })
                },
              },
            )
          }}
          onServer={(input) => {
            toFile.reset()
            toServer.mutate({ id: account.id, ...input }, { onSuccess: (result) => setDone({ kind: 'server', result, url: input.url }) })
          }}
          onCancel={onClose}
        />
      ) : (
        <ExportDone account={account} done={done} onClose={onClose} />
      )}
    </Dialog>
  )
}

interface ServerInput {
  url: string
  token: string
  passphrase?: string
  replace?: boolean
  includeProxy?: boolean
}

function ExportForm({
  account,
  pending,
  error,
  onFile,
  onServer,
  onCancel,
}: {
  account: AccountSummary
  pending: boolean
  error: unknown
  onFile: (passphrase: string, mode: TransferMode, includeProxy: boolean) => void
  onServer: (input: ServerInput) => void
  onCancel: () => void
}) {
  const ids = { strength: useId(), serverStrength: useId(), problem: useId(), copyWarning: useId() }
  const [destination, setDestination] = useState<Destination>('file')
  const [passphrase, setPassphrase] = useState('')
  const [confirmation, setConfirmation] = useState('')
  // Copy by default: an operator who wants a backup must not get an outage. A move is chosen on purpose.
  const [mode, setMode] = useState<TransferMode>('copy')
  const [url, setUrl] = useState('')
  const [token, setToken] = useState('')
  const [serverPassphrase, setServerPassphrase] = useState('')
  const [replace, setReplace] = useState(false)
  // Off by default: a proxy usually belongs to this server, not to the account.
  const [includeProxy, setIncludeProxy] = useState(false)
  // What the form itself refuses before asking the core, and the field to fix.
  const [problem, setProblem] = useState<{ text: string; field: 'passphrase' | 'confirmation' | 'url' | 'token' | 'serverPassphrase' } | null>(null)
  const refs = {
    passphrase: useRef<HTMLInputElement>(null),
    confirmation: useRef<HTMLInputElement>(null),
    url: useRef<HTMLInputElement>(null),
    token: useRef<HTMLInputElement>(null),
    serverPassphrase: useRef<HTMLInputElement>(null),
  }
  const label = account.label

  function refuse(text: string, field: NonNullable<typeof problem>['field']): void {
    setProblem({ text, field })
    refs[field].current?.focus()
  }

  function choose(next: Destination): void {
    setDestination(next)
    setProblem(null)
  }

  function submit(event: FormEvent): void {
    event.preventDefault()
    if (pending) return
    if (destination === 'file') {
      if ([...passphrase].length < MIN_PASSPHRASE_LENGTH) {
        refuse(`The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`, 'passphrase')
        return
      }
      if (confirmation !== passphrase) {
        refuse('The two passphrases differ. Type the same passphrase in both fields.', 'confirmation')
        return
      }
      setProblem(null)
      onFile(passphrase, mode, includeProxy)
      return
    }
    if (url.trim() === '') {
      refuse("Give the other server's address, such as https://irish.example.com.", 'url')
      return
    }
    if (token.trim() === '') {
      refuse("Give the other server's API token.", 'token')
      return
    }
    if (serverPassphrase !== '' && [...serverPassphrase].length < MIN_PASSPHRASE_LENGTH) {
      refuse(`The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long, or left empty.`, 'serverPassphrase')
      return
    }
    setProblem(null)
    onServer({
      url: url.trim(),
      token: token.trim(),
      ...(serverPassphrase !== '' ? { passphrase: serverPassphrase } : {}),
      ...(replace ? { replace: true } : {}),
      ...(includeProxy ? { includeProxy: true } : {}),
    })
  }

  const invalid = (field: NonNullable<typeof problem>['field']) =>
    problem?.field === field ? { 'aria-invalid': true as const, 'aria-errormessage': ids.problem } : {}

  return (
    <form className="form" onSubmit={submit} aria-label={`Export ${label}`} noValidate>
      <p className="muted small">
        {label}
        {account.phone ? ` (${formatPhone(account.phone)})` : ''}, {STATUS_VIEW[account.status].label.toLowerCase()}.
      </p>
      <Choice
        legend="Export to"
        name="destination"
        value={destination}
        onChange={choose}
        disabled={pending}
        options={[
          { value: 'file', title: 'To a file', detail: 'An encrypted session bundle to import on another machine.', autoFocus: true },
          { value: 'server', title: 'To a server', detail: 'Straight into another Irish server, which starts it there.' },
        ]}
      />

      {destination === 'file' ? (
        <>
          <NewPassphraseField
            label="Passphrase"
            name="passphrase"
            inputRef={refs.passphrase}
            value={passphrase}
            onChange={setPassphrase}
            disabled={pending}
            hintId={ids.strength}
            invalid={invalid('passphrase')}
          />
          <label className="field">
            <span>Confirm passphrase</span>
            <input
              ref={refs.confirmation}
              type="password"
              name="confirmation"
              autoComplete="new-password"
              value={confirmation}
              maxLength={1024}
              disabled={pending}
              onChange={(event) => setConfirmation(event.target.value)}
              {...invalid('confirmation')}
            />
          </label>
          <p className="muted small">Whoever imports the file needs this passphrase. It is not stored anywhere: keep it safe.</p>

          <Choice
            legend="And here"
            name="mode"
            value={mode}
            onChange={setMode}
            disabled={pending}
            options={[
              {
                value: 'copy',
                title: 'Copy',
                detail: 'Keeps the account running here: the file is a backup.',
                describedBy: mode === 'copy' ? ids.copyWarning : undefined,
              },
              {
                value: 'move',
                title: 'Move',
                detail: 'Stop the account here and mark it moved, so only the exported copy runs: to run it somewhere else.',
              },
            ]}
          />
          {mode === 'copy' && (
            <div className="notice notice-warn" id={ids.copyWarning} role="note" aria-label="Warning about copies">
              <p>
                <strong>Never run both copies at once.</strong> If the copy is started while this one runs, WhatsApp logs both out and
                messages stop decrypting on both. Import the copy only after this one is stopped for good.
              </p>
            </div>
          )}
        </>
      ) : (
        <>
          <label className="field">
            <span>Server address</span>
            <input
              ref={refs.url}
              type="text"
              inputMode="url"
              name="url"
              autoComplete="url"
              spellCheck={false}
              placeholder="https://irish.example.com"
              value={url}
              maxLength={2048}
              disabled={pending}
              onChange={(event) => setUrl(event.target.value)}
              {...invalid('url')}
            />
          </label>
          <label className="field">
            <span>Its API token</span>
            <input
              ref={refs.token}
              type="password"
              name="token"
              autoComplete="off"
              value={token}
              maxLength={4096}
              disabled={pending}
              onChange={(event) => setToken(event.target.value)}
              {...invalid('token')}
            />
          </label>
          <NewPassphraseField
            label="Passphrase (optional)"
            name="server-passphrase"
            inputRef={refs.serverPassphrase}
            value={serverPassphrase}
            onChange={setServerPassphrase}
            disabled={pending}
            hintId={ids.serverStrength}
            invalid={invalid('serverPassphrase')}
            whenEmpty="Left empty, a one-time random passphrase protects the bundle on its way."
          />
          <label className="check">
            <input type="checkbox" checked={replace} disabled={pending} onChange={(event) => setReplace(event.target.checked)} />
            <span>Replace the account with the same phone on that server, if it has one (only if the copy here is the newest)</span>
          </label>
          <div className="notice" role="note" aria-label="What happens">
            <p>
              Once the server accepts the session, it starts it there, and <strong>{label}</strong> is stopped here and marked moved
              to that server. If the server refuses, nothing changes here. The address must start with https:// (or http:// for this
              machine).
            </p>
          </div>
        </>
      )}

      {account.proxy && (
        <label className="check">
          <input type="checkbox" checked={includeProxy} disabled={pending} onChange={(event) => setIncludeProxy(event.target.checked)} />
          <span>Include the proxy ({account.proxy}) with its password, encrypted in the bundle</span>
        </label>
      )}

      <FormFooter
        problem={problem}
        problemId={ids.problem}
        error={error}
        pending={pending}
        progress={`Exporting ${label}… This takes a few seconds${destination === 'file' && mode === 'copy' ? '; the account reconnects once' : ''}.`}
        submitLabel={pending ? 'Exporting…' : destination === 'file' ? (mode === 'move' ? 'Export and stop here' : 'Export a copy') : 'Send to server'}
        onCancel={onCancel}
      />
    </form>
  )
}

/** A new passphrase and its live strength hint (or, while empty, `whenEmpty` in its place). */
function NewPassphraseField({
  label,
  name,
  inputRef,
  value,
  onChange,
  disabled,
  hintId,
  invalid,
  whenEmpty,
}: {
  label: string
  name: string
  inputRef: RefObject<HTMLInputElement | null>
  value: string
  onChange: (value: string) => void
  disabled: boolean
  hintId: string
  invalid: { 'aria-invalid'?: true; 'aria-errormessage'?: string }
  whenEmpty?: string
}) {
  return (
    <>
      <label className="field">
        <span>{label}</span>
        <input
          ref={inputRef}
          type="password"
          name={name}
          autoComplete="new-password"
          value={value}
          maxLength={1024}
          disabled={disabled}
          aria-describedby={hintId}
          onChange={(event) => onChange(event.target.value)}
          {...invalid}
        />
      </label>
      {whenEmpty !== undefined && value === '' ? (
        <p id={hintId} className="muted small">
          {whenEmpty}
        </p>
      ) : (
        <PassphraseStrengthHint id={hintId} passphrase={value} />
      )}
    </>
  )
}

function ExportDone({ account, done, onClose }: { account: AccountSummary; done: Done; onClose: () => void }) {
  const doneRef = useRef<HTMLButtonElement>(null)
  const label = account.label
  // The form it replaces held the focus: Done takes it, so one Enter finishes.
  useEffect(() => doneRef.current?.focus(), [])
  return (
    <div className="export-done">
      {done.kind === 'file' ? (
        <>
          <p className="success" role="status">
            Exported {label} to <strong className="file-name">{done.result.fileName}</strong> ({formatBytes(done.result.bytes)}).
          </p>
          <p>
            Your browser saved it in its downloads folder (or where you chose, if it asks). If no download started, use{' '}
            <strong>Save the file again</strong>.
          </p>
          {done.mode === 'move' ? (
            <p>
              <strong>{label}</strong> is stopped here and marked moved. Import the file where it should run now, with the passphrase.
            </p>
          ) : (
            <p>
              <strong>{label}</strong> keeps running here. Do not start the copy anywhere while this one runs.
            </p>
          )}
        </>
      ) : (
        <>
          <p className="success" role="status">
            Moved {label} to <strong className="file-name">{done.url}</strong>.
          </p>
          <p>
            It runs there as <strong>{done.result.remote.label}</strong> ({STATUS_VIEW[done.result.remote.status].label.toLowerCase()}
            ). Here it is stopped and marked moved.
          </p>
        </>
      )}
      <div className="dialog-actions">
        {done.kind === 'file' && (
          <button type="button" onClick={() => saveBundle(done.result.fileName, done.result.bundle)}>
            Save the file again
          </button>
        )}
        <button type="button" className="primary" ref={doneRef} onClick={onClose} data-autofocus>
          Done
        </button>
      </div>
    </div>
  )
}
