// Small parts of an account row: the label with its inline rename, and a button that copies the id
// (the CLI and the API take it). Both report what happened in words, next to where it happened.

import { useEffect, useRef, useState } from 'react'
import { commands, type AccountSummary } from '../../../shared/contract'
import { errorMessage } from '../api/api-error'
import { useRenameAccount } from '../api/hooks'

export function RenameCell({ account, href }: { account: AccountSummary; href: string }) {
  const [editing, setEditing] = useState(false)
  const [value, setValue] = useState(account.label)
  const [problem, setProblem] = useState<string | null>(null)
  const rename = useRenameAccount()
  const inputRef = useRef<HTMLInputElement>(null)
  const buttonRef = useRef<HTMLButtonElement>(null)
  const wasEditing = useRef(false)

  useEffect(() => {
    if (editing) inputRef.current?.select()
    // Back from the field to the button that opened it, so the keyboard user stays in the row.
    else if (wasEditing.current) buttonRef.current?.focus()
    wasEditing.current = editing
  }, [editing])

  async function save(): Promise<void> {
    const label = value.trim()
    if (label === account.label) {
      setEditing(false)
      return
    }
    // The contract's own rule, checked here first so the field says what is wrong without a round trip.
    const checked = commands['accounts:rename'].input.shape.label.safeParse(label)
    if (!checked.success) {
      setProblem(checked.error.issues[0]?.message ?? 'This label is not accepted.')
      inputRef.current?.focus()
      return
    }
    setProblem(null)
    try {
      await rename.mutateAsync({ id: account.id, label })
      setEditing(false)
    } catch {
      // The error shows under the field, which stays open with what was typed.
    }
  }

  if (!editing) {
    return (
      <span className="label-cell">
        <a href={href}>{account.label}</a>
        <button
          type="button"
          ref={buttonRef}
          className="icon-button"
          aria-label={`Rename ${account.label}`}
          title="Rename"
          onClick={() => {
            setValue(account.label)
            setProblem(null)
            rename.reset()
            setEditing(true)
          }}
        >
          <span aria-hidden="true">✎</span>
        </button>
      </span>
    )
  }
  return (
    <form
      className="rename-form"
      onSubmit={(event) => {
        event.preventDefault()
        void save()
      }}
    >
      <input
        ref={inputRef}
        aria-label={`New label for ${account.label}`}
        value={value}
        maxLength={80}
        disabled={rename.isPending}
        aria-invalid={rename.isError || problem !== null || undefined}
        onChange={(event) => {
          setValue(event.target.value)
          setProblem(null)
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault()
            setEditing(false)
          }
        }}
      />
      <button type="submit" disabled={rename.isPending}>
        Save
      </button>
      <button type="button" onClick={() => setEditing(false)} disabled={rename.isPending}>
        Cancel
      </button>
      {(problem !== null || rename.isError) && (
        <span className="field-error" role="alert">
          {problem ?? errorMessage(rename.error)}
        </span>
      )}
    </form>
  )
}

export function CopyIdButton({ account }: { account: AccountSummary }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const timer = setTimeout(() => setState('idle'), 2000)
    return () => clearTimeout(timer)
  }, [state])
  return (
    <>
      <button
        type="button"
        className="small-button"
        aria-label={`Copy the id of ${account.label}`}
        onClick={() => {
          navigator.clipboard.writeText(account.id).then(
            () => setState('copied'),
            // Clipboard access can be refused (an insecure origin, a policy): the id stays on screen to select.
            () => setState('failed'),
          )
        }}
      >
        Copy
      </button>
      <span role="status" className="copy-note small">
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused: select the id' : ''}
      </span>
    </>
  )
}
