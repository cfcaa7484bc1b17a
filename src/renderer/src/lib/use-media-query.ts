// Whether a CSS media query matches, as React state that follows the window (a phone turned, a window
// narrowed). The accounts table draws compact rows under COMPACT_QUERY.

import { useSyncExternalStore } from 'react'

/** Under about 600 px the accounts table becomes a list of compact rows. */
export const COMPACT_QUERY = '(max-width: 600px)'

export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (listener) => {
      const list = window.matchMedia(query)
      list.addEventListener('change', listener)
      return () => list.removeEventListener('change', listener)
    },
    () => window.matchMedia(query).matches,
  )
}
