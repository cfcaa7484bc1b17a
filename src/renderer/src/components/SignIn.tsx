// The sign-in prompt for the headless server: shown when the page has no token, or the server
// rejected the one it had. The token is checked with a harmless command before it is kept.

import { useRef, useState, type FormEvent } from 'react'
import { errorMessage, isAppError } from '../api/api-error'
import type { HttpTransport } from '../api/http-transport'
import { TOKEN_PATTERN } from '../api/token'
import './sign-in.css'

/** What to say when the page arrives here because the server refused the token it had. */
const REFUSED: Record<'link' | 'saved', string> = {
  link: 'The server did not accept the token in the sign-in link: the link is out of date (a newer token) or was cut short. Paste the current token.',
  saved: 'The server no longer accepts the token this tab had (it changed, or the server was set up again). Paste the current token.',
}

export function SignIn({ transport }: { transport: HttpTransport }) {
  const [token, setToken] = useState('')
  const [error, setError] = useState<string | null>(() => {
    const refused = transport.refusedToken()
    return refused ? REFUSED[refused] : null
  })
  const [pending, setPending] = useState(false)
  const inputRef = useRef<HTMLInputElement>(null)

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault()
    const candidate = token.trim()
    if (!TOKEN_PATTERN.test(candidate)) {
      setError('A token is 16 to 256 letters, digits, "-" or "_". Copy it again from where the server printed it.')
      inputRef.current?.focus()
      return
    }
    setPending(true)
    setError(null)
    try {
      await transport.signIn(candidate)
    } catch (failure) {
      setError(
        isAppError(failure) && failure.code === 'unauthorized'
          ? 'The server did not accept this token. Check that it is the current one.'
          : errorMessage(failure),
      )
      setPending(false)
      inputRef.current?.focus()
    }
  }

  return (
    <main className="signin">
      <form className="signin-card form" onSubmit={(event) => void submit(event)} aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to Irish</h1>
        <p>
          This server needs its API token. It is in <code>IRISH_API_TOKEN</code>, or in the file <code>api-token</code> in the
          server’s data directory; the server prints a sign-in link with it when it generates one.
        </p>
        <label className="field">
          <span>API token</span>
          <input
            ref={inputRef}
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            autoFocus
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby={error ? 'signin-error' : undefined}
            aria-invalid={error ? true : undefined}
          />
        </label>
        {error && (
          <p id="signin-error" className="inline-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">The token stays in this tab only and is forgotten when the tab closes.</p>
      </form>
    </main>
  )
}
