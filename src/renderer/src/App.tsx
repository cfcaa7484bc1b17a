// The page's frame: sign-in when the server wants a token, otherwise the top bar, the app-wide
// banners and the current view. Every view has its own address in the URL fragment (lib/router.ts):
// Back and Forward move between views, and a link opened in a new tab lands on the same view once
// signed in (the sign-in prompt leaves the fragment alone). A skip link leads past the navigation, and
// the theme switch sits in the top bar.

import { lazy, Suspense } from 'react'
import { useLinkState, useTransport } from './api/ApiProvider'
import type { HttpTransport } from './api/http-transport'
import { useWhoAmI } from './api/token-hooks'
import { ConnectionBanner, SimulatorBanner } from './components/Banners'
import { AccountNotices } from './components/Notices'
import { SignIn } from './components/SignIn'
import { ThemeSwitch } from './components/ThemeSwitch'
import { OpenedBundleImport } from './components/TransferActions'
import { Loading } from './components/States'
import { navigate, routeToHash, useRoute, type Route } from './lib/router'
import { useAccounts } from './api/hooks'

// One chunk per view, loaded when first shown: the first page carries the frame and its own view only.
const AccountDetailView = lazy(() => import('./views/AccountDetailView').then((m) => ({ default: m.AccountDetailView })))
const AccountsView = lazy(() => import('./views/AccountsView').then((m) => ({ default: m.AccountsView })))
const AttentionView = lazy(() => import('./views/AttentionView').then((m) => ({ default: m.AttentionView })))
const AuditView = lazy(() => import('./views/AuditView').then((m) => ({ default: m.AuditView })))
const FleetView = lazy(() => import('./views/FleetView').then((m) => ({ default: m.FleetView })))
const SettingsView = lazy(() => import('./views/SettingsView').then((m) => ({ default: m.SettingsView })))
const TelemetryView = lazy(() => import('./views/TelemetryView').then((m) => ({ default: m.TelemetryView })))
const WebhooksView = lazy(() => import('./views/WebhooksView').then((m) => ({ default: m.WebhooksView })))

export function App() {
  const transport = useTransport()
  const link = useLinkState()
  if (transport.kind === 'http' && link.status === 'unauthorized') return <SignIn transport={transport as HttpTransport} />
  return <Shell />
}

const SECTIONS: ReadonlyArray<{ title: string; route: Route; section: Route['view']; adminOnly?: true }> = [
  { title: 'Accounts', route: { view: 'accounts' }, section: 'accounts' },
  { title: 'Needs attention', route: { view: 'attention' }, section: 'attention' },
  { title: 'Telemetry', route: { view: 'telemetry', scope: '*' }, section: 'telemetry' },
  { title: 'Fleet', route: { view: 'fleet' }, section: 'fleet' },
  { title: 'Webhooks', route: { view: 'webhooks' }, section: 'webhooks' },
  { title: 'Audit', route: { view: 'audit' }, section: 'audit', adminOnly: true },
  { title: 'Settings', route: { view: 'settings' }, section: 'settings' },
]

function Shell() {
  const route = useRoute()
  const link = useLinkState()
  const transport = useTransport()
  const me = useWhoAmI().data
  const admin = me?.role === 'admin'

  function go(next: Route): void {
    // Tells each view's heading to take the focus (ViewHeading): from now on views change by choice.
    document.body.dataset.navigated = 'true'
    navigate(next)
  }

  const section = route.view === 'account' ? 'accounts' : route.view
  const attention = useAccounts().data?.filter((a) => a.condition !== null).length ?? 0
  return (
    <div className="app">
      {/* The first Tab stop: past the navigation to the view's heading. A link to #main-heading would change the route, so it moves the focus itself. */}
      <a
        className="skip-link"
        href="#main-heading"
        onClick={(event) => {
          event.preventDefault()
          document.getElementById('main-heading')?.focus()
        }}
      >
        Skip to the content
      </a>
      <header className="topbar">
        <h1 className="brand">Irish</h1>
        <nav aria-label="Main" className="nav">
          {SECTIONS.filter((item) => admin || !item.adminOnly).map((item) => (
            <a
              key={item.title}
              href={routeToHash(item.route)}
              aria-current={section === item.section ? 'page' : undefined}
              onClick={() => {
                document.body.dataset.navigated = 'true'
              }}
            >
              {item.title}
              {item.section === 'attention' && attention > 0 && (
                // Read as "Needs attention 35 accounts": the name keeps the visible words, in order.
                <span className="nav-count">
                  {attention}
                  <span className="visually-hidden"> {attention === 1 ? 'account' : 'accounts'}</span>
                </span>
              )}
            </a>
          ))}
        </nav>
        <span className={`link-state link-${link.status}`} role="status" aria-label="Server connection">
          <span className="link-dot" aria-hidden="true" />
          {link.status === 'open' ? 'Live' : link.status === 'connecting' ? 'Connecting…' : 'Offline'}
        </span>
        {transport.kind === 'http' && me && (
          <span className="signed-in-as" role="note" aria-label="Signed in as">
            {me.name} ({me.role})
          </span>
        )}
        <ThemeSwitch className="topbar-theme" />
        {transport.kind === 'http' && (
          <button type="button" className="topbar-button" onClick={() => (transport as HttpTransport).signOut()}>
            Sign out
          </button>
        )}
      </header>
      <SimulatorBanner />
      <ConnectionBanner />
      <AccountNotices />
      <OpenedBundleImport />
      <main className="main" id="main">
        <Suspense fallback={<Loading what="the view" />}>
        {route.view === 'accounts' && <AccountsView onOpenAccount={(id) => go({ view: 'account', id })} />}
        {route.view === 'account' && (
          <AccountDetailView
            key={route.id}
            id={route.id}
            onBack={() => go({ view: 'accounts' })}
            onTelemetry={(id) => go({ view: 'telemetry', scope: id })}
          />
        )}
        {route.view === 'attention' && <AttentionView onOpenAccount={(id) => go({ view: 'account', id })} />}
        {route.view === 'telemetry' && <TelemetryView scope={route.scope} onScope={(scope) => go({ view: 'telemetry', scope })} />}
        {route.view === 'settings' && <SettingsView />}
        {route.view === 'fleet' && <FleetView />}
        {route.view === 'webhooks' && <WebhooksView />}
        {route.view === 'audit' && <AuditView />}
        </Suspense>
      </main>
    </div>
  )
}
