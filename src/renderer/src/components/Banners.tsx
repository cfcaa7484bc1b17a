// App-wide banners: a trusted local simulator (so nobody mistakes test traffic for real WhatsApp), and
// whether it answers; and a lost connection to the server (with when the next attempt starts).

import { useLinkState } from '../api/ApiProvider'
import { useSimulatorInfo } from '../api/hooks'
import { useNow } from '../lib/time'

export function SimulatorBanner() {
  const info = useSimulatorInfo().data
  if (!info?.trusted) return null
  if (info.down) {
    return (
      <div className="banner banner-disconnected" role="alert" aria-label="Simulator not answering">
        <strong>The local WhatsApp simulator is not answering</strong> ({info.down.reason}, since{' '}
        {new Date(info.down.since).toLocaleTimeString()}). Its accounts reconnect by themselves when it is back.
        {info.url && <span className="muted"> Endpoint: {info.url}</span>}
      </div>
    )
  }
  return (
    <div className="banner banner-simulator" role="note" aria-label="Simulator in use">
      <strong>Connected to a local WhatsApp simulator, not real WhatsApp.</strong>
      {info.url && <span className="muted"> Endpoint: {info.url}</span>}
    </div>
  )
}

export function ConnectionBanner() {
  const link = useLinkState()
  if (link.status !== 'disconnected') return null
  return <DisconnectedBanner retryAt={link.retryAt} failures={link.failures} />
}

function DisconnectedBanner({ retryAt, failures }: { retryAt: number | null; failures: number }) {
  const now = useNow()
  const seconds = retryAt === null ? 0 : Math.max(0, Math.ceil((retryAt - now) / 1000))
  return (
    <div className="banner banner-disconnected" role="alert">
      <strong>Disconnected from the server.</strong>{' '}
      <span>
        {seconds > 0 ? `Reconnecting in ${seconds} s` : 'Reconnecting now'}
        {failures > 1 ? ` (attempt ${failures})` : ''}. What you see may be out of date until then.
      </span>
    </div>
  )
}
