// One address per view, in the URL fragment: #/accounts, #/accounts/<id>, #/attention, #/telemetry,
// #/telemetry/<id>, #/fleet, #/settings, #/webhooks, #/audit. The fragment never reaches the server, so the headless server serves
// one page for every view, and a link opened in a new tab keeps its fragment through the sign-in
// prompt and lands on the same view. Back and Forward are the browser's own (hashchange). The accounts
// table keeps its filter, search and sort after a "?" (#/accounts?status=failed&q=eu): a view of the
// table has an address too, and replacing it (replaceQuery) adds no history entry per keystroke.

import { useSyncExternalStore } from 'react'
import { ACCOUNT_ID_PATTERN, type AccountId } from '../../../shared/ids'

export type Route =
  /** `query`: the table's state (lib/table-view.ts), when it is not the default. */
  | { view: 'accounts'; query?: string }
  | { view: 'account'; id: AccountId }
  | { view: 'attention' }
  | { view: 'telemetry'; scope: AccountId | '*' }
  | { view: 'settings' }
  | { view: 'fleet' }
  | { view: 'webhooks' }
  | { view: 'audit' }

export function parseRoute(hash: string): Route {
  const [rawPath = '', query = ''] = hash.replace(/^#/, '').split('?', 2)
  const path = rawPath.replace(/^\/+|\/+$/g, '')
  const [section, id, ...rest] = path.split('/')
  const accountId = id !== undefined && rest.length === 0 && ACCOUNT_ID_PATTERN.test(id) ? (id as AccountId) : null
  if (section === 'accounts' && accountId) return { view: 'account', id: accountId }
  if (section === 'telemetry') return { view: 'telemetry', scope: accountId ?? '*' }
  if (section === 'attention' && id === undefined) return { view: 'attention' }
  if (section === 'settings' && id === undefined) return { view: 'settings' }
  if (section === 'fleet' && id === undefined) return { view: 'fleet' }
  if (section === 'webhooks' && id === undefined) return { view: 'webhooks' }
  if (section === 'audit' && id === undefined) return { view: 'audit' }
  // Anything else (an empty fragment, an old link, a typo) opens the accounts list.
  return section === 'accounts' && id === undefined && query !== '' ? { view: 'accounts', query } : { view: 'accounts' }
}

export function routeToHash(route: Route): string {
  switch (route.view) {
    case 'accounts':
      return route.query ? `#/accounts?${route.query}` : '#/accounts'
    case 'account':
      return `#/accounts/${route.id}`
    case 'attention':
      return '#/attention'
    case 'telemetry':
      return route.scope === '*' ? '#/telemetry' : `#/telemetry/${route.scope}`
    case 'settings':
      return '#/settings'
    case 'fleet':
      return '#/fleet'
    case 'webhooks':
      return '#/webhooks'
    case 'audit':
      return '#/audit'
  }
}

// Any change of address after the first load is a navigation: the view's heading takes the focus
// (ViewHeading), whether a link, Back or Forward made it. Replacing the table's query is not one.
if (typeof window !== 'undefined') {
  window.addEventListener('hashchange', () => {
    document.body.dataset.navigated = 'true'
  })
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener)
  return () => window.removeEventListener('hashchange', listener)
}

/** The current route; re-renders on Back, Forward and every navigate(). */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash)
  return parseRoute(hash)
}

/**
 * Puts the accounts table's state in the address without a new history entry or a navigation; the
 * route's readers see it on their next render. Only while the address is the accounts list: the
 * table's effect can run after a link has already left it (a slow render of a long table), and
 * writing then would take the operator back to the list.
 */
export function replaceQuery(query: string): void {
  if (parseRoute(window.location.hash).view !== 'accounts') return
  const hash = routeToHash(query === '' ? { view: 'accounts' } : { view: 'accounts', query })
  if (window.location.hash !== hash) window.history.replaceState(window.history.state, '', hash)
}

/** Opens a view as a new history entry (Back returns to the one before). */
export function navigate(route: Route): void {
  const hash = routeToHash(route)
  if (window.location.hash !== hash) window.location.hash = hash
}
