// What settings:* holds, to read and change: which WhatsApp endpoint the accounts use (real WhatsApp,
// or a simulator with the root key its certificates are trusted under), whether accounts left
// running start with the app, how long a connection may stay silent before it is checked, and what new
// accounts get: a proxy and send limits, and how long a queue an account may hold
// (docs/proxies-and-limits.md). When the server was started with an endpoint of its own (--simulator,
// IRISH_WHATSAPP_URL), that one wins and the view says so. Admins also see the API tokens.

import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useState, type FormEvent } from 'react'
import type { Settings } from '../../../shared/contract'
import { useTransport } from '../api/ApiProvider'
import { errorMessage } from '../api/api-error'
import { useSettings, useSimulatorInfo } from '../api/hooks'
import { useIsAdmin } from '../api/token-hooks'
import { queryKeys } from '../api/query-keys'
import { draftOfLimits, LimitFields, limitsOfDraft } from '../components/LimitFields'
import { ErrorState, Loading } from '../components/States'
import { ThemeSwitch } from '../components/ThemeSwitch'
import { TokensPanel } from '../components/tokens/TokensPanel'
import { ViewHeading } from '../components/ViewHeading'


export function SettingsView() {
  const settings = useSettings()
  const simulator = useSimulatorInfo().data
  const admin = useIsAdmin()

  return (
    <section className="view" aria-labelledby="main-heading">
      <div className="view-header">
        <ViewHeading>Settings</ViewHeading>
      </div>
      {settings.isPending && <Loading what="the settings" />}
      {settings.isError && <ErrorState what="the settings" error={settings.error} onRetry={() => void settings.refetch()} />}
      {settings.data && <SettingsForm current={settings.data} overriddenBy={simulator?.trusted && simulator.url !== settings.data.whatsappUrl ? simulator.url : null} />}
      {admin && <TokensPanel />}
      <section className="panel settings-form" aria-labelledby="appearance-heading">
        <h3 id="appearance-heading">Appearance</h3>
        <div className="field">
          <ThemeSwitch className="field-inline" label="Theme" />
          <p className="hint">System follows the light or dark setting of this computer. Kept in this browser; the top bar has the same switch.</p>
        </div>
      </section>
    </section>
  )
}

function SettingsForm({ current, overriddenBy }: { current: Settings; overriddenBy: string | null }) {
  const api = useTransport()
  const client = useQueryClient()
  const ids = {
    url: useId(),
    root: useId(),
    auto: useId(),
    problem: useId(),
    proxy: useId(),
    queue: useId(),
    samples: useId(),
    samplesHint: useId(),
    stale: useId(),
    staleHint: useId(),
  }
  const [url, setUrl] = useState(current.whatsappUrl ?? '')
  const [root, setRoot] = useState(current.trustedRootKey ?? '')
  const [autoStart, setAutoStart] = useState(current.autoStart)
  const [minSamples, setMinSamples] = useState(String(current.rankingMinSamples))
  const [staleSeconds, setStaleSeconds] = useState(String(current.staleSocketSeconds))
  // Shown with its password as ***; given back unchanged, the core keeps the stored URL.
  const [defaultProxy, setDefaultProxy] = useState(current.defaultProxy ?? '')
  const [limits, setLimits] = useState(() => draftOfLimits(current.defaultLimits))
  const [maxQueue, setMaxQueue] = useState(String(current.maxQueuePerAccount))
  const [problem, setProblem] = useState<string | null>(null)
  const [saved, setSaved] = useState(false)
  const save = useMutation({
    mutationFn: (patch: Partial<Settings>) => api.invoke('settings:set', patch),
    onSuccess: (next) => {
      client.setQueryData(queryKeys.settings(), next)
      // The proxy typed (with its password) gives way to its shown form, password as ***.
      setDefaultProxy(next.defaultProxy ?? '')
      setSaved(true)
    },
  })
  /** A setter that also takes back "Saved." once the form is edited again. */
  const editing =
    <T,>(set: (value: T) => void) =>
    (value: T): void => {
      setSaved(false)
      set(value)
    }

  function submit(event: FormEvent): void {
    event.preventDefault()
    const typed = limitsOfDraft(limits)
    if ('problem' in typed) return setProblem(typed.problem)
    if (!/^\d+$/.test(maxQueue.trim())) return setProblem('Give the queue length per account as a whole number.')
    setProblem(null)
    const samples = minSamples.trim() === '' ? Number.NaN : Number(minSamples)
    save.mutate({
      whatsappUrl: url.trim() === '' ? null : url.trim(),
      trustedRootKey: root.trim() === '' ? null : root.trim(),
      autoStart,
      defaultProxy: defaultProxy.trim() === '' ? null : defaultProxy.trim(),
      defaultLimits: typed.limits,
      maxQueuePerAccount: Number(maxQueue.trim()),
      // Sent as typed: the server says what is wrong with a value out of range.
      staleSocketSeconds: Number(staleSeconds),
      // The contract says what is wrong with a value that is not a whole number of at least 1.
      rankingMinSamples: Number.isFinite(samples) ? samples : (minSamples as unknown as number),
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
        <input id={ids.url} type="url" value={url} placeholder="Empty: real WhatsApp" onChange={(event) => editing(setUrl)(event.target.value)} />
        <p className="hint">Leave empty for real WhatsApp. A simulator&apos;s URL starts with ws:// or wss://.</p>
      </div>
      <div className="field">
        <label htmlFor={ids.root}>Trusted root key</label>
        <input id={ids.root} value={root} spellCheck={false} placeholder="64 hex characters" onChange={(event) => editing(setRoot)(event.target.value)} />
        <p className="hint">Only for a custom endpoint: the key its certificate chain is signed under.</p>
      </div>
      <div className="field-check">
        <input id={ids.auto} type="checkbox" checked={autoStart} onChange={(event) => editing(setAutoStart)(event.target.checked)} />
        <label htmlFor={ids.auto}>Start the accounts that were running when the app last stopped</label>
      </div>
      <div className="field">
        <label htmlFor={ids.stale}>Seconds without a frame before a connection is checked</label>
        <input
          id={ids.stale}
          type="number"
          inputMode="numeric"
          min={5}
          max={600}
          step={1}
          value={staleSeconds}
          aria-describedby={ids.staleHint}
          onChange={(event) => editing(setStaleSeconds)(event.target.value)}
        />
        <p className="hint" id={ids.staleHint}>
          5 to 600. A connection that carries nothing this long gets a ping; no answer within 5 s and it is replaced. Applies to
          running accounts at once.
        </p>
      </div>
      <div className="field">
        <label htmlFor={ids.proxy}>Default proxy for new accounts</label>
        <input
          id={ids.proxy}
          value={defaultProxy}
          spellCheck={false}
          autoComplete="off"
          placeholder="Empty: new accounts connect directly"
          onChange={(event) => editing(setDefaultProxy)(event.target.value)}
        />
        <p className="hint">http://, socks5:// or socks5h://, with user:password@ if the proxy asks. Existing accounts keep theirs (Proxy… in the table or on an account).</p>
      </div>
      <fieldset className="limits-defaults">
        <legend>Send limits for new accounts</legend>
        <p className="hint">Over a limit a send waits in the account&apos;s queue. Empty: no limit. Existing accounts keep theirs (on each account&apos;s page).</p>
        <LimitFields draft={limits} onChange={editing(setLimits)} />
        <div className="field">
          <label htmlFor={ids.queue}>Queue length per account</label>
          <input id={ids.queue} inputMode="numeric" value={maxQueue} onChange={(event) => editing(setMaxQueue)(event.target.value)} />
          <p className="hint">Past it a send is refused (rate-limited) rather than queued.</p>
        </div>
      </fieldset>
      <h3 id="telemetry-settings-heading">Telemetry</h3>
      <div className="field">
        <label htmlFor={ids.samples}>Minimum samples to rank an account</label>
        <input
          id={ids.samples}
          inputMode="numeric"
          className="field-short"
          value={minSamples}
          aria-describedby={ids.samplesHint}
          onChange={(event) => editing(setMinSamples)(event.target.value)}
        />
        <p className="hint" id={ids.samplesHint}>
          The ranking of slowest accounts leaves out accounts with fewer store operations than this in its time range, and says how many it
          left out: a p99 over a few samples is one slow write, not a slow account. Default 100.
        </p>
      </div>
      {(problem ?? (save.isError ? errorMessage(save.error) : null)) && (
        <p className="inline-error" role="alert" id={ids.problem}>
          {problem ?? errorMessage(save.error)}
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
