// The questions the accounts table asks before an action that could surprise: a selection the view
// partly hides, and a start (or restart) that reaches replaced or logged-out accounts. Each says what
// will happen to how many, and offers the safe choice first.

import { useRef, useState } from 'react'
import type { AccountSummary } from '../../../../shared/contract'
import type { AccountId } from '../../../../shared/ids'
import { plural } from '../../lib/plural'
import { Dialog } from '../Dialog'

export type BulkVerb = 'start' | 'stop' | 'restart' | 'logout' | 'tags' | 'export' | 'proxy'

export const VERB_WORDS: Record<BulkVerb, { verb: string; noun: string }> = {
  start: { verb: 'Start', noun: 'start' },
  stop: { verb: 'Stop', noun: 'stop' },
  restart: { verb: 'Restart', noun: 'restart' },
  logout: { verb: 'Log out', noun: 'log-out' },
  tags: { verb: 'Tag', noun: 'tag change' },
  export: { verb: 'Export', noun: 'export' },
  proxy: { verb: 'Set the proxy of', noun: 'proxy change' },
}

/** Some of the selected accounts are hidden by the view: act on the shown ones only (the default), or all. */
export function HiddenSelectionDialog({
  verb,
  visible,
  hidden,
  onChoose,
  onClose,
}: {
  verb: BulkVerb
  visible: number
  hidden: number
  onChoose: (which: 'visible' | 'all') => void
  onClose: () => void
}) {
  const shownRef = useRef<HTMLButtonElement>(null)
  const words = VERB_WORDS[verb]
  return (
    <Dialog title={`${plural(hidden, 'selected account is', 'selected accounts are')} hidden`} onClose={onClose} size="small" role="alertdialog" initialFocus={shownRef}>
      <p>
        The current view hides {plural(hidden, 'account')} of the {plural(visible + hidden, 'account')} selected. {words.verb} only the{' '}
        {plural(visible, 'account')} you can see, or all {visible + hidden}?
      </p>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" onClick={() => onChoose('all')}>
          {words.verb} all {visible + hidden}
        </button>
        <button type="button" className="primary" ref={shownRef} disabled={visible === 0} onClick={() => onChoose('visible')}>
          {words.verb} the {visible} shown
        </button>
      </div>
    </Dialog>
  )
}

/**
 * A start or restart that reaches replaced accounts (their own hint says: only if the other copy is
 * gone) or logged-out ones (a start would begin a QR pairing nobody watches, which expires). Replaced
 * ones are left out unless the operator says otherwise; logged-out ones always are, with an offer to
 * pair them again one at a time.
 */
export function StartWarningDialog({
  verb,
  targets,
  onConfirm,
  onRepair,
  onClose,
}: {
  verb: 'start' | 'restart'
  targets: readonly AccountSummary[]
  onConfirm: (ids: AccountId[]) => void
  onRepair: (ids: AccountId[]) => void
  onClose: () => void
}) {
  const [withReplaced, setWithReplaced] = useState(false)
  const cancelRef = useRef<HTMLButtonElement>(null)
  const replaced = targets.filter((a) => a.status === 'replaced')
  const loggedOut = targets.filter((a) => a.status === 'logged-out')
  const others = targets.filter((a) => a.status !== 'replaced' && a.status !== 'logged-out')
  const chosen = [...others, ...(withReplaced ? replaced : [])]
  const Verb = VERB_WORDS[verb].verb
  return (
    <Dialog title={`${Verb} ${plural(targets.length, 'account')}?`} onClose={onClose} size="small" role="alertdialog" initialFocus={cancelRef}>
      {replaced.length > 0 && (
        <div className="notice notice-warn" role="note" aria-label="Replaced accounts">
          <p>
            <strong>{plural(replaced.length, 'account was', 'accounts were')} replaced:</strong> another copy of the session took over (another
            server, tool or computer). {verb === 'start' ? 'Start' : 'Restart'} them only if that copy is gone for good; while it runs, both are
            logged out.
          </p>
          <label className="check">
            <input type="checkbox" checked={withReplaced} onChange={(event) => setWithReplaced(event.target.checked)} />
            <span>The other copies are gone: {verb} the {plural(replaced.length, 'replaced account')} too</span>
          </label>
        </div>
      )}
      {loggedOut.length > 0 && (
        <div className="notice" role="note" aria-label="Logged-out accounts">
          <p>
            <strong>{plural(loggedOut.length, 'account is', 'accounts are')} logged out</strong> and left out: starting them would show QR codes
            nobody scans, which expire. Pair them again one by one, with each phone at hand.
          </p>
          <p className="form-actions">
            <button type="button" onClick={() => onRepair(loggedOut.map((a) => a.id))}>
              Pair {loggedOut.length === 1 ? 'it' : 'them'} again one by one…
            </button>
          </p>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" ref={cancelRef} onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="primary" disabled={chosen.length === 0} onClick={() => onConfirm(chosen.map((a) => a.id))}>
          {Verb} {plural(chosen.length, 'account')}
        </button>
      </div>
    </Dialog>
  )
}
