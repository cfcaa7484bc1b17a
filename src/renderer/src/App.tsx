// The page's frame: sign-in when the server wants a token, otherwise the top bar, the app-wide
// banners and the current view. Navigation is in-page state: the URL fragment is the token's entry
// point and is cleared at once, so it carries no routes.

import { useState } from 'react'
import { ALL_ACCOUNTS } from '../../shared/contract'
import type { AccountId } from '../../shared/ids'
import { useLinkState, useTransport } from './api/ApiProvider'
import type { HttpTransport } from './api/http-transport'
import { ConnectionBanner, SimulatorBanner } from './components/Banners'
import { SignIn } from './components/SignIn'
import type { Scope } from './lib/chart-data'
import { AccountDetailView } from './views/AccountDetailView'
import { AccountsView } from './views/AccountsView'
import { TelemetryView } from './views/TelemetryView'

type Route = { view: 'accounts' } | { view: 'account'; id: AccountId } | { view: 'telemetry'; scope: Scope }

export function App() {
  const transport = useTransport()
  const link = useLinkState()
  if (transport.kind === 'http' && link.status === 'unauthorized') return <SignIn transport={transport as HttpTransport} />
  return <Shell />
}

function Shell() {
  const [route, setRoute] = useState<Route>({ view: 'accounts' })
  const link = useLinkState()
  const transport = useTransport()

  function go(next: Route): void {
    // Tells each view's heading to take the focus (ViewHeading): from now on views change by choice.
    document.body.dataset.navigated = 'true'
    setRoute(next)
  }

  const section = route.view === 'account' ? 'accounts' : route.view
  return (
    <div className="app">
      <header className="topbar">
        <h1 className="brand">Irish</h1>
        <nav aria-label="Main" className="nav">
          <button type="button" aria-current={section === 'accounts' ? 'page' : undefined} onClick={() => go({ view: 'accounts' })}>
            Accounts
          </button>
          <button
            type="button"
            aria-current={section === 'telemetry' ? 'page' : undefined}
            onClick={() => go({ view: 'telemetry', scope: ALL_ACCOUNTS })}
          >
            Telemetry
          </button>
        </nav>
        <span className={`link-state link-${link.status}`} role="status" aria-label="Server connection">
          <span className="link-dot" aria-hidden="true" />
          {link.status === 'open' ? 'Live' : link.status === 'connecting' ? 'Connecting…' : 'Offline'}
        </span>
        {transport.kind === 'http' && (
          <button type="button" className="topbar-button" onClick={() => (transport as HttpTransport).signOut()}>
            Sign out
          </button>
        )}
      </header>
      <SimulatorBanner />
      <ConnectionBanner />
      <main className="main" id="main">
        {route.view === 'accounts' && <AccountsView onOpenAccount={(id) => go({ view: 'account', id })} />}
        {route.view === 'account' && (
          <AccountDetailView
            id={route.id}
            onBack={() => go({ view: 'accounts' })}
            onTelemetry={(id) => go({ view: 'telemetry', scope: id })}
          />
        )}
        {route.view === 'telemetry' && <TelemetryView scope={route.scope} onScope={(scope) => setRoute({ view: 'telemetry', scope })} />}
      </main>
    </div>
  )
}
