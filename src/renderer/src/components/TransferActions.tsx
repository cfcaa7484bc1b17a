// Where moving sessions between places plugs in: Import on the accounts toolbar, Export on each
// account. Each button opens its dialog (ExportDialog, ImportDialog).

import { useState } from 'react'
import type { AccountSummary } from '../../../shared/contract'
import { isPaired } from '../lib/status'
import { ExportDialog } from './ExportDialog'
import { ImportDialog } from './ImportDialog'

/** The accounts toolbar's slot, beside "Add account". */
export function TransferToolbar() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Import account
      </button>
      {open && <ImportDialog onClose={() => setOpen(false)} />}
    </>
  )
}

/**
 * Each account's slot, after its lifecycle buttons. Only a paired account has a session to export; a
 * moved one has none worth exporting (its keys are stale once the other copy ran), nor a logged-out one.
 */
export function AccountTransferActions({ account }: { account: AccountSummary }) {
  const [open, setOpen] = useState(false)
  const exportable = isPaired(account) && account.status !== 'moved' && account.status !== 'logged-out'
  if (!exportable && !open) return null
  return (
    <>
      {exportable && (
        <button type="button" onClick={() => setOpen(true)} aria-label={`Export ${account.label}`}>
          Export…
        </button>
      )}
      {open && <ExportDialog account={account} onClose={() => setOpen(false)} />}
    </>
  )
}
