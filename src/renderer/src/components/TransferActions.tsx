// Where moving sessions between places plugs in: Import on the accounts toolbar, Export on each
// account, and the import of a bundle the OS opened (OpenedBundleImport, in the app shell). Each opens
// its dialog (ExportDialog, ImportDialog).

import { lazy, Suspense, useEffect, useState } from 'react'
import type { AccountSummary } from '../../../shared/contract'
import { useTransport } from '../api/ApiProvider'
import { base64ToBytes } from '../lib/bundle-file'
import { hasSession } from '../lib/status'

// Loaded when first opened: most visits never export or import.
const ExportDialog = lazy(() => import('./ExportDialog').then((m) => ({ default: m.ExportDialog })))
const ImportDialog = lazy(() => import('./ImportDialog').then((m) => ({ default: m.ImportDialog })))

/** The accounts toolbar's slot, beside "Add account". */
export function TransferToolbar() {
  const [open, setOpen] = useState(false)
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Import account
      </button>
      {open && (
        <Suspense fallback={null}>
          <ImportDialog onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  )
}

/**
 * The import dialog for a bundle the OS opened with the desktop app (a double-click on an .irishbundle),
 * whatever view is showing: mounted once by the app shell.
 */
export function OpenedBundleImport() {
  const opened = useOpenedBundle()
  if (!opened.file) return null
  return (
    <Suspense fallback={null}>
      <ImportDialog key={opened.key} onClose={opened.clear} initialFile={opened.file} />
    </Suspense>
  )
}

/**
 * The bundle the OS last opened with the desktop app ('transfer:bundle-opened', never sent to a
 * browser), as a File for the import dialog; `key` changes with each, so a second one starts afresh.
 */
function useOpenedBundle(): { file: File | null; key: number; clear: () => void } {
  const transport = useTransport()
  const [opened, setOpened] = useState<{ file: File | null; key: number }>({ file: null, key: 0 })
  useEffect(
    () =>
      transport.subscribe((message) => {
        if (message.event !== 'transfer:bundle-opened') return
        const file = new File([base64ToBytes(message.payload.base64)], message.payload.name)
        setOpened((previous) => ({ file, key: previous.key + 1 }))
      }),
    [transport],
  )
  return { ...opened, clear: () => setOpened((previous) => ({ file: null, key: previous.key })) }
}

/** The export dialog for one account, loaded when first opened (the accounts table's row menu opens it). */
export function ExportAccountDialog({ account, onClose }: { account: AccountSummary; onClose: () => void }) {
  return (
    <Suspense fallback={null}>
      <ExportDialog account={account} onClose={onClose} />
    </Suspense>
  )
}

/**
 * Each account's slot, after its lifecycle buttons. Only a paired account has a session to export; a
 * moved one has none worth exporting (its keys are stale once the other copy ran), nor a logged-out one.
 */
export function AccountTransferActions({ account }: { account: AccountSummary }) {
  const [open, setOpen] = useState(false)
  const exportable = hasSession(account)
  if (!exportable && !open) return null
  return (
    <>
      {exportable && (
        <button type="button" onClick={() => setOpen(true)} aria-label={`Export ${account.label}`}>
          Export…
        </button>
      )}
      {open && <ExportAccountDialog account={account} onClose={() => setOpen(false)} />}
    </>
  )
}
