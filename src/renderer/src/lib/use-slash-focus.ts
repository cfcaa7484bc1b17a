// "/" puts the focus in a view's search field, as in most consoles: unless the operator is typing in a
// field already, or a dialog is open.

import { useEffect, type RefObject } from 'react'

export function useSlashFocus(target: RefObject<HTMLInputElement | null>): void {
  useEffect(() => {
    const onKeyDown = (event: globalThis.KeyboardEvent): void => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return
      const active = document.activeElement as HTMLElement | null
      if (active?.closest('input, textarea, select, [contenteditable="true"], dialog[open]')) return
      if (document.querySelector('dialog[open]')) return
      event.preventDefault()
      target.current?.focus()
      target.current?.select()
    }
    document.addEventListener('keydown', onKeyDown)
    return () => document.removeEventListener('keydown', onKeyDown)
  }, [target])
}
