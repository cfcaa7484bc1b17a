// Asks before an action that cannot be undone, naming what it acts on. Focus starts on Cancel, so a
// stray Enter does no harm; the action's own error shows inside the dialog, which stays open.

import { useRef, useState, type ReactNode } from 'react'
import { errorMessage } from '../api/api-error'
import { Dialog } from './Dialog'

export interface ConfirmDialogProps {
  title: string
  children: ReactNode
  confirmLabel: string
  tone?: 'danger' | 'normal'
  onConfirm: () => Promise<unknown>
  onClose: () => void
}

export function ConfirmDialog({ title, children, confirmLabel, tone = 'danger', onConfirm, onClose }: ConfirmDialogProps) {
  const cancelRef = useRef<HTMLButtonElement>(null)
  const [pending, setPending] = useState(false)
  const [error, setError] = useState<string | null>(null)

  async function confirm(): Promise<void> {
    setPending(true)
    setError(null)
    try {
      await onConfirm()
      onClose()
    } catch (failure) {
      setError(errorMessage(failure))
      setPending(false)
    }
  }

  return (
    <Dialog title={title} onClose={onClose} initialFocus={cancelRef} busy={pending} size="small" role="alertdialog">
      <div className="confirm-text">{children}</div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" ref={cancelRef} onClick={onClose} disabled={pending}>
          Cancel
        </button>
        <button type="button" className={tone === 'danger' ? 'danger' : 'primary'} onClick={() => void confirm()} disabled={pending}>
          {pending ? `${confirmLabel}…` : confirmLabel}
        </button>
      </div>
    </Dialog>
  )
}
