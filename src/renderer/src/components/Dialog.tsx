// A modal dialog on the native <dialog> element: showModal() makes the rest of the page inert, Tab
// wraps around inside it, Escape arrives as a cancel event, and the opener gets its focus back on close.
// Mount it to open it, unmount it to close it: its state starts fresh every time.

import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode, type RefObject } from 'react'

export interface DialogProps {
  title: string
  onClose: () => void
  children: ReactNode
  /** What gets focus on open; by default the content's element marked data-autofocus, else its first control. */
  initialFocus?: RefObject<HTMLElement | null>
  /** While true, Escape and the close button do nothing (an action is half done). */
  busy?: boolean
  size?: 'small' | 'medium'
  role?: 'dialog' | 'alertdialog'
}

export function Dialog({ title, onClose, children, initialFocus, busy = false, size = 'medium', role }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null)
  const titleId = useId()
  const busyRef = useRef(busy)
  busyRef.current = busy
  const onCloseRef = useRef(onClose)
  onCloseRef.current = onClose

  useEffect(() => {
    const dialog = ref.current
    if (!dialog) return
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null
    if (!dialog.open) dialog.showModal()
    // showModal() focuses the first focusable element, which is the header's close button. The
    // dialog's content is a better start: the element marked data-autofocus, else its first control.
    const target =
      initialFocus?.current ??
      dialog.querySelector<HTMLElement>('.dialog-body [data-autofocus]') ??
      dialog.querySelector<HTMLElement>('.dialog-body :is(input, select, textarea, button):not(:disabled)')
    target?.focus()
    return () => {
      if (dialog.open) dialog.close()
      // The opener may be gone (a removed account's row): then focus falls back to the main heading.
      if (opener && opener.isConnected) opener.focus()
      else document.getElementById('main-heading')?.focus()
    }
    // Runs once per mount on purpose: the dialog opens when it mounts and closes when it unmounts.
  }, [])

  return (
    <dialog
      ref={ref}
      className={`dialog dialog-${size}`}
      aria-labelledby={titleId}
      role={role === 'alertdialog' ? 'alertdialog' : undefined}
      onKeyDown={(event) => {
        if (event.key === 'Tab' && ref.current) keepTabInside(ref.current, event)
      }}
      onCancel={(event) => {
        // Escape: close through React state, never by the browser behind React's back.
        event.preventDefault()
        if (!busyRef.current) onCloseRef.current()
      }}
    >
      <div className="dialog-header">
        <h2 id={titleId} className="dialog-title">
          {title}
        </h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={() => onClose()} disabled={busy}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  )
}

const FOCUSABLE = 'button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), a[href], [tabindex]:not([tabindex="-1"])'

/**
 * A modal dialog makes the page inert, but Chromium still lets Tab leave the last control for the
 * browser's own toolbar. Wrapping around keeps a keyboard user in the dialog until it closes.
 */
function keepTabInside(dialog: HTMLDialogElement, event: KeyboardEvent<HTMLDialogElement>): void {
  const focusable = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0)
  const first = focusable[0]
  const last = focusable[focusable.length - 1]
  if (!first || !last) return
  if (event.shiftKey && document.activeElement === first) {
    event.preventDefault()
    last.focus()
  } else if (!event.shiftKey && document.activeElement === last) {
    event.preventDefault()
    first.focus()
  }
}
