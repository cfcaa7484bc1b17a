import { afterEach, describe, expect, it, vi } from 'vitest'
import { parseRoute, replaceQuery, routeToHash, type Route } from './router'
import type { AccountId } from '../../../shared/ids'

describe('routes', () => {
  const id = 'acc-1a2b3c4d5e' as AccountId
  const routes: Route[] = [
    { view: 'accounts' },
    { view: 'accounts', query: 'status=failed%2Crefused&q=eu' },
    { view: 'account', id },
    { view: 'attention' },
    { view: 'telemetry', scope: '*' },
    { view: 'telemetry', scope: id },
    { view: 'settings' },
    { view: 'fleet' },
    { view: 'webhooks' },
    { view: 'audit' },
  ]
  it('every route survives a round trip through its address', () => {
    for (const route of routes) expect(parseRoute(routeToHash(route))).toEqual(route)
  })
  it('anything unknown or malformed opens the accounts list', () => {
    for (const hash of ['', '#', '#/', '#/nowhere', '#/accounts/NOT AN ID', '#/accounts/a/b', '#token=abc', '#/settings/x', '#/fleet/x', '#/webhooks/x', '#/attention/x', '#/audit/x']) {
      expect(parseRoute(hash)).toEqual({ view: 'accounts' })
    }
  })
  it('keeps the table query on the accounts list only', () => {
    expect(parseRoute('#/accounts?')).toEqual({ view: 'accounts' })
    expect(parseRoute('#/settings?x=1')).toEqual({ view: 'settings' })
    expect(parseRoute(`#/accounts/${id}?x=1`)).toEqual({ view: 'account', id })
  })
  it('tolerates a missing or doubled slash', () => {
    expect(parseRoute('#accounts/acc-1')).toEqual({ view: 'account', id: 'acc-1' })
    expect(parseRoute('#//telemetry/')).toEqual({ view: 'telemetry', scope: '*' })
  })
})

describe('replaceQuery', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })
  /** A window with only the address and a history that rewrites it, as replaceState does. */
  function stubAddress(hash: string): { hash: string } {
    const location = { hash }
    vi.stubGlobal('window', { location, history: { state: null, replaceState: (_state: unknown, _title: string, url: string) => (location.hash = url) } })
    return location
  }
  it('writes the table\'s state on the accounts list', () => {
    const location = stubAddress('#/accounts')
    replaceQuery('q=eu')
    expect(location.hash).toBe('#/accounts?q=eu')
    replaceQuery('')
    expect(location.hash).toBe('#/accounts')
  })
  it('leaves any other view alone, so a late write from the table cannot undo a navigation', () => {
    for (const hash of ['#/telemetry', '#/settings', '#/accounts/acc-1']) {
      const location = stubAddress(hash)
      replaceQuery('')
      expect(location.hash).toBe(hash)
    }
  })
})
