// The headless server's API token, in a browser. It arrives once in the URL fragment
// (#token=…, which browsers never send to a server) and is removed from the address bar at once, or
// the operator types it into the sign-in prompt. It lives in sessionStorage: gone when the tab closes,
// never in localStorage, a cookie, a query string or a log line.

const STORAGE_KEY = 'irish.apiToken'

/** The server accepts these; anything else cannot be a token, so the prompt says so before asking. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,256}$/

/**
 * Takes `token=…` out of the fragment, keeps the rest of the fragment, and rewrites the address bar
 * without adding a history entry, so Back does not bring the token back either.
 */
export function takeTokenFromLocation(): string | null {
  const hash = window.location.hash.replace(/^#/, '')
  if (!hash.includes('token=')) return null
  const params = new URLSearchParams(hash)
  const token = params.get('token')
  params.delete('token')
  const rest = params.toString()
  const clean = `${window.location.pathname}${window.location.search}${rest ? `#${rest}` : ''}`
  window.history.replaceState(window.history.state, '', clean)
  return token && token.trim() !== '' ? token.trim() : null
}

export function loadStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(STORAGE_KEY)
  } catch {
    // Storage can be disabled by policy; the operator then signs in again after a reload.
    return null
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) window.sessionStorage.removeItem(STORAGE_KEY)
    else window.sessionStorage.setItem(STORAGE_KEY, token)
  } catch {
    // See loadStoredToken: keeping it in memory only is the safe fallback.
  }
}
