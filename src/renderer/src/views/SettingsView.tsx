// What settings:* holds, to read and change: which WhatsApp endpoint the accounts use (real WhatsApp,
// or a simulator with the root key its certificates are trusted under), whether accounts left
// running start with the app, and the proxy new accounts get. When the server was started with an endpoint of its own (--simulator,
// IRISH_WHATSAPP_URL), that one wins and the view says so.

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useId, useState, type FormEvent } from 'react'
import type { Settings } from '../../../shared/contract'
import { useTransport } from '../api/ApiProvider'
import { errorMessage } from '../api/api-error'
import { useSimulatorInfo } from '../api/hooks'
import { queryKeys } from '../api/query-keys'
import { ErrorState, Loading } from '../components/States'
import { ViewHeading } from '../components/ViewHeading'


export function SettingsView() {
  const api = useTransport()
  const settings = useQuery({ queryKey: queryKeys.settings(), queryFn: () => api.invoke('settings:get', {}) })
  const simulator = useSimulatorInfo().data

  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Settings</ViewHeading>
      </div>
      {settings.isPending && <Loading what="the settings" />}
      {settings.isError && <ErrorState what="the settings" error={settings.error} onRetry={() => void settings.refetch()} />}
      {settings.data && <SettingsForm current={settings.data} overriddenBy={simulator?.trusted && simulator.url !== settings.data.whatsappUrl ? simulator.url : null} />}
      <section className="panel" aria-labelledby="appearance-heading">
        <h3 id="appearance-heading">Appearance</h3>
        <p>The light or dark theme follows your system&apos;s setting.</p>
      </section>
    </section>
  )
}

function SettingsForm({ current, overriddenBy }: { current: Settings; overriddenBy: string | null }) {
  const api = useTransport()
  const client = useQueryClient()
  const ids = { url: useId(), root: useId(), auto: useId(), problem: useId(), proxy: useId() }
  const [url, setUrl] = useState(current.whatsappUrl ?? '')
  const [root, setRoot] = useState(current.trustedRootKey ?? '')
  const [autoStart, setAutoStart] = useState(current.autoStart)
  // Shown with its password as ***; given back unchanged, the core keeps the stored URL.
  const [defaultProxy, setDefaultProxy] = useState(current.defaultProxy ?? '')
  const [saved, setSaved] = useState(false)
  const save = useMutation({
    mutationFn: (patch: Partial<Settings>) => api.invoke('settings:set', patch),
    onSuccess: (next) => {
      client.setQueryData(queryKeys.settings(), next)
      setSaved(true)
    },
  })
  useEffect(() => setSaved(false), [url, root, autoStart, defaultProxy])

  function submit(event: FormEvent): void {
    event.preventDefault()
    save.mutate({
      whatsappUrl: url.trim() === '' ? null : url.trim(),
      trustedRootKey: root.trim() === '' ? null : root.trim(),
      autoStart,
      defaultProxy: defaultProxy.trim() === '' ? null : defaultProxy.trim(),
    })
  }

  return (
    <form className="panel form settings-form" onSubmit={submit} noValidate aria-labelledby="endpoint-heading">
      <h3 id="endpoint-heading">WhatsApp endpoint</h3>
      {overriddenBy && (
        <p className="note" role="note">
          This server was started with its own endpoint ({overriddenBy}); it wins over the values below until it is started without it.
        </p>
      )}
      <div className="field">
        <label htmlFor={ids.url}>Endpoint URL</label>
        <input id={ids.url} type="url" value={url} placeholder="Empty: real WhatsApp" onChange={(event) => setUrl(event.target.value)} />
        <p className="hint">Leave empty for real WhatsApp. A simulator&apos;s URL starts with ws:// or wss://.</p>
      </div>
      <div className="field">
        <label htmlFor={ids.root}>Trusted root key</label>
        <input id={ids.root} value={root} spellCheck={false} placeholder="64 hex characters" onChange={(event) => setRoot(event.target.value)} />
        <p className="hint">Only for a custom endpoint: the key its certificate chain is signed under.</p>
      </div>
      <div className="field field-check">
        <input id={ids.auto} type="checkbox" checked={autoStart} onChange={(event) => setAutoStart(event.target.checked)} />
        <label htmlFor={ids.auto}>Start the accounts that were running when the app last stopped</label>
      </div>
      <div className="field">
        <label htmlFor={ids.proxy}>Default proxy for new accounts</label>
        <input
          id={ids.proxy}
          value={defaultProxy}
          spellCheck={false}
          autoComplete="off"
          placeholder="Empty: new accounts connect directly"
          onChange={(event) => setDefaultProxy(event.target.value)}
        />
        <p className="hint">http://, socks5:// or socks5h://, with user:password@ if the proxy asks. Existing accounts keep theirs (Proxy… in the table or on an account).</p>
      </div>
      {save.isError && (
        <p className="inline-error" role="alert" id={ids.problem}>
          {errorMessage(save.error)}
        </p>
      )}
      {saved && !save.isError && (
        <p role="status" className="ok-note">
          Saved.
        </p>
      )}
      <div className="dialog-actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save settings'}
        </button>
      </div>
    </form>
  )
}
