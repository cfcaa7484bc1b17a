// Tells the operator when an account ends logged out, replaced or failed, wherever they are in the
// app: a system notification in the desktop app (Electron shows the page's Notification natively),
// a toast in the browser. Only transitions seen while the page is open count: an account that was
// already logged out when the page loaded is no news.

import { useEffect, useRef, useState } from 'react'
import type { AccountStatus, AccountSummary } from '../../../shared/contract'
import type { AccountId } from '../../../shared/ids'
import { useTransport } from '../api/ApiProvider'
import { useAccounts } from '../api/hooks'
import { routeToHash } from '../lib/router'
import { STATUS_VIEW } from '../lib/status'

const NEWS: readonly AccountStatus[] = ['logged-out', 'replaced', 'failed']
const MAX_TOASTS = 3
/** More changes than this at once become one summary toast: fifty toasts would hide the page. */
const MAX_SEPARATE = 2
const GATHER_MS = 400

interface Notice {
  key: string
  /** The account to open, or null for a summary of many. */
  id: AccountId | null
  title: string
  detail: string
}

/** Many notices at once, as one: "52 accounts stopped running: 20 logged out, 32 failed". */
export function summarise(notices: readonly Notice[], list: readonly AccountSummary[]): Notice[] {
  if (notices.length <= MAX_SEPARATE) return [...notices]
  const ids = new Set(notices.map((n) => n.id))
  const counts = new Map<AccountStatus, number>()
  for (const a of list) if (ids.has(a.id)) counts.set(a.status, (counts.get(a.status) ?? 0) + 1)
  const parts = [...counts].map(([status, count]) => `${count} ${STATUS_VIEW[status].label.toLowerCase()}`)
  return [
    {
      key: `many:${notices[0]!.key}:${notices.length}`,
      id: null,
      title: `${notices.length} accounts stopped running`,
      detail: `${parts.join(', ')}. Filter the table by status to see them.`,
    },
  ]
}

/** The accounts that moved into a status worth a notice since the previous list. */
export function newNotices(previous: ReadonlyMap<AccountId, AccountStatus> | null, list: readonly AccountSummary[]): Notice[] {
  if (previous === null) return []
  return list
    .filter((a) => NEWS.includes(a.status) && previous.has(a.id) && previous.get(a.id) !== a.status)
    .map((a) => ({
      key: `${a.id}:${a.statusSince}`,
      id: a.id,
      title: `${a.label}: ${STATUS_VIEW[a.status].label.toLowerCase()}`,
      detail: a.lastError ?? STATUS_VIEW[a.status].hint,
    }))
}

export function AccountNotices() {
  const accounts = useAccounts().data
  const transport = useTransport()
  const previous = useRef<Map<AccountId, AccountStatus> | null>(null)
  const [toasts, setToasts] = useState<Notice[]>([])
  // Changes arrive one event at a time; those within a short window are told together, so fifty
  // accounts failing at once make one notice.
  const pending = useRef<Notice[]>([])
  const latest = useRef<readonly AccountSummary[]>([])
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)

  useEffect(() => {
    if (!accounts) return
    latest.current = accounts
    const fresh = newNotices(previous.current, accounts)
    previous.current = new Map(accounts.map((a) => [a.id, a.status]))
    if (fresh.length === 0) return
    pending.current.push(...fresh)
    // Trailing: each new change waits a little more, so a burst is told once it settles.
    if (timer.current !== null) clearTimeout(timer.current)
    timer.current = setTimeout(() => {
      timer.current = null
      const told = summarise(pending.current, latest.current)
      pending.current = []
      if (transport.kind === 'ipc' && typeof Notification !== 'undefined') {
        for (const notice of told) new Notification(notice.title, { body: notice.detail })
        return
      }
      setToasts((current) => [...current, ...told].slice(-MAX_TOASTS))
    }, GATHER_MS)
  }, [accounts, transport.kind])

  useEffect(() => () => void (timer.current !== null && clearTimeout(timer.current)), [])

  return (
    <div className="toasts" role="region" aria-label="Notifications">
      {toasts.map((toast) => (
        <div key={toast.key} className="toast" role="alert">
          <p>
            <strong>{toast.title}</strong>
            <br />
            <span>{toast.detail}</span>
          </p>
          <div className="toast-actions">
            {toast.id && <a href={routeToHash({ view: 'account', id: toast.id })}>Open</a>}
            <button type="button" className="link-button" onClick={() => setToasts((current) => current.filter((t) => t.key !== toast.key))}>
              Dismiss
            </button>
          </div>
        </div>
      ))}
    </div>
  )
}
