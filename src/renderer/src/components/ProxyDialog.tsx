// Sets or clears the proxy of one account or of a selection (accounts:set-proxy): an http://,
// socks5:// or socks5h:// URL with optional credentials, or none to connect directly, applied at the
// next connect or at once (reconnect). The current proxy shows with its password as ***; the URL typed
// here goes to the core and is never shown back. Lists the accounts it failed for, by name.

import { useId, useState, type FormEvent } from 'react'
import type { AccountSummary, BulkResult } from '../../../shared/contract'
import { proxyUrlProblem } from '../../../shared/proxy'
import { useSetProxy } from '../api/hooks'
import { Dialog } from './Dialog'
import { Choice, FormFooter } from './FormParts'

type Mode = 'set' | 'clear'

export function ProxyDialog({
  accounts,
  onClose,
  onDone,
}: {
  accounts: readonly AccountSummary[]
  onClose: () => void
  /** When it worked for every account (the table's bulk bar clears its selection then). */
  onDone?: () => void
}) {
  const ids = { url: useId(), problem: useId(), reconnect: useId(), hint: useId() }
  const setProxy = useSetProxy()
  const [mode, setMode] = useState<Mode>('set')
  const [url, setUrl] = useState('')
  const [reconnect, setReconnect] = useState(false)
  const [problem, setProblem] = useState<{ text: string } | null>(null)
  const [failures, setFailures] = useState<BulkResult[] | null>(null)
  const one = accounts.length === 1 ? accounts[0]! : null
  const labels = new Map(accounts.map((a) => [a.id, a.label]))
  const title = one ? `Proxy of ${one.label}` : `Proxy of ${accounts.length} accounts`

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault()
    const given = url.trim()
    const wrong = mode === 'set' ? (given === '' ? 'Give the proxy URL, or choose to connect directly.' : proxyUrlProblem(given)) : null
    if (wrong) {
      setProblem({ text: wrong })
      return
    }
    setProblem(null)
    const results = await setProxy.mutateAsync({ ids: accounts.map((a) => a.id), url: mode === 'set' ? given : null, ...(reconnect ? { reconnect } : {}) })
    const failed = results.filter((r) => !r.ok)
    if (failed.length === 0) {
      onDone?.()
      onClose()
    } else setFailures(failed)
  }

  return (
    <Dialog title={title} onClose={onClose} busy={setProxy.isPending}>
      <form onSubmit={(event) => void submit(event).catch(() => undefined)} noValidate>
        {one && <p data-field="current-proxy">{one.proxy ? <>Now: <code>{one.proxy}</code></> : 'Now it connects directly.'}</p>}
        <Choice
          legend="Connect"
          name="proxy-mode"
          value={mode}
          onChange={setMode}
          disabled={setProxy.isPending}
          options={[
            { value: 'set', title: 'Through a proxy', detail: 'Every connection of the account goes through it; if it fails, the account waits and retries, never connecting directly.' },
            { value: 'clear', title: 'Directly', detail: 'No proxy: the account connects from this server’s own address.' },
          ]}
        />
        {mode === 'set' && (
          <div className="field">
            <label htmlFor={ids.url}>Proxy URL</label>
            <input
              id={ids.url}
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={url}
              placeholder="socks5://user:password@proxy.example:1080"
              aria-describedby={ids.hint}
              aria-errormessage={problem ? ids.problem : undefined}
              onChange={(event) => setUrl(event.target.value)}
              data-autofocus
            />
            <p className="hint" id={ids.hint}>
              http:// (an HTTP proxy, asked with CONNECT), socks5:// (names resolved here) or socks5h:// (names resolved by the proxy). The
              password is stored encrypted and shown as ***.
            </p>
          </div>
        )}
        <div className="field-check">
          <input id={ids.reconnect} type="checkbox" checked={reconnect} onChange={(event) => setReconnect(event.target.checked)} />
          <label htmlFor={ids.reconnect}>Reconnect running accounts now (otherwise at their next connect)</label>
        </div>
        {failures && (
          <ul className="bulk-failures" aria-label="Failures">
            {failures.map((f) => (
              <li key={f.id}>
                <strong>{labels.get(f.id) ?? f.id}</strong>: {f.error?.message ?? 'It failed.'}
              </li>
            ))}
          </ul>
        )}
        <FormFooter
          problem={problem}
          problemId={ids.problem}
          error={setProxy.error}
          pending={setProxy.isPending}
          progress="Saving…"
          submitLabel={mode === 'set' ? 'Use this proxy' : 'Connect directly'}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  )
}
