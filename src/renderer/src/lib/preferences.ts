// What this browser remembers for the operator across visits: the theme, the accounts table's columns
// and saved views. localStorage under one prefix; nothing secret (the API token lives in sessionStorage
// only, api/token.ts). Nothing is written until the operator changes a default, and a storage that is
// full or turned off only means the choice lasts as long as the page.

const PREFIX = 'irish.'

export function readPreference<T>(key: string, check: (value: unknown) => T | null): T | null {
  try {
    const raw = window.localStorage.getItem(PREFIX + key)
    return raw === null ? null : check(JSON.parse(raw))
  } catch {
    return null
  }
}

/** null forgets the choice (back to the default). */
export function writePreference(key: string, value: unknown): void {
  try {
    if (value === null) window.localStorage.removeItem(PREFIX + key)
    else window.localStorage.setItem(PREFIX + key, JSON.stringify(value))
  } catch {
    // Storage off or full: the choice holds for this page only.
  }
}
