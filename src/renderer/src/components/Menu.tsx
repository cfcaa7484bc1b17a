// A menu button: a button that opens a short list of actions (role="menu") below it. Arrow keys, Home
// and End move between the items, Escape closes it and gives the focus back to the button, and a click
// elsewhere or Tab closes it. The list is placed with fixed coordinates from the button's box, so a
// table that scrolls (the accounts table) never clips it.

import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react'

export interface MenuItem {
  label: string
  onSelect: () => void
  tone?: 'danger'
  disabled?: boolean
}

export function MenuButton({ label, children, items, className }: { label: string; children: ReactNode; items: readonly MenuItem[]; className?: string }) {
  const [open, setOpen] = useState(false)
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null)
  const buttonRef = useRef<HTMLButtonElement>(null)
  const listRef = useRef<HTMLDivElement>(null)
  /** Where the button was when the list was placed. */
  const anchorRef = useRef<{ top: number; left: number } | null>(null)
  const menuId = useId()

  function close(focusButton: boolean): void {
    setOpen(false)
    setPlace(null)
    if (focusButton) buttonRef.current?.focus()
  }

  useLayoutEffect(() => {
    if (!open || !buttonRef.current || !listRef.current) return
    const box = buttonRef.current.getBoundingClientRect()
    const list = listRef.current.getBoundingClientRect()
    // Below the button, right-aligned with it; above it when the window has no room below.
    const below = box.bottom + 4 + list.height <= window.innerHeight
    anchorRef.current = { top: box.top, left: box.left }
    setPlace({
      top: below ? box.bottom + 4 : Math.max(4, box.top - 4 - list.height),
      left: Math.max(4, Math.min(box.right - list.width, window.innerWidth - list.width - 4)),
    })
  }, [open])

  // Once placed (and so visible: a hidden element takes no focus), the first item takes the focus.
  useEffect(() => {
    if (!open || !place || listRef.current?.contains(document.activeElement)) return
    listRef.current?.querySelector<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')?.focus()
  }, [open, place])

  useEffect(() => {
    if (!open) return
    const onPointer = (event: PointerEvent): void => {
      const target = event.target as Node
      if (!listRef.current?.contains(target) && !buttonRef.current?.contains(target)) close(false)
    }
    const onResize = (): void => close(false)
    // A scroll moves the button away from the list: the list closes. A scroll event is delivered a frame
    // after the scroll, so one that brought the button into view just before it was clicked arrives once
    // the list is open; the button has not moved since it was placed, and the list stays.
    const onScroll = (): void => {
      const box = buttonRef.current?.getBoundingClientRect()
      const anchor = anchorRef.current
      if (box && anchor && box.top === anchor.top && box.left === anchor.left) return
      close(false)
    }
    document.addEventListener('pointerdown', onPointer)
    window.addEventListener('resize', onResize)
    document.addEventListener('scroll', onScroll, true)
    return () => {
      document.removeEventListener('pointerdown', onPointer)
      window.removeEventListener('resize', onResize)
      document.removeEventListener('scroll', onScroll, true)
    }
  }, [open])

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>): void {
    const entries = [...(listRef.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)') ?? [])]
    const at = entries.indexOf(document.activeElement as HTMLButtonElement)
    const go = (index: number): void => entries[(index + entries.length) % entries.length]?.focus()
    if (event.key === 'ArrowDown') go(at + 1)
    else if (event.key === 'ArrowUp') go(at - 1)
    else if (event.key === 'Home') go(0)
    else if (event.key === 'End') go(entries.length - 1)
    else if (event.key === 'Escape') close(true)
    else if (event.key === 'Tab') close(false)
    else return
    if (event.key !== 'Tab') event.preventDefault()
  }

  return (
    <>
      <button
        type="button"
        ref={buttonRef}
        className={className ?? 'icon-button menu-button'}
        aria-label={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((was) => !was)}
        onKeyDown={(event) => {
          if (event.key === 'ArrowDown' && !open) {
            event.preventDefault()
            setOpen(true)
          }
        }}
      >
        {children}
      </button>
      {open && (
        <div
          id={menuId}
          ref={listRef}
          role="menu"
          aria-label={label}
          className="menu"
          style={place ? { top: place.top, left: place.left } : { visibility: 'hidden', top: 0, left: 0 }}
          onKeyDown={onKeyDown}
        >
          {items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              className={item.tone === 'danger' ? 'menu-item danger-quiet' : 'menu-item'}
              disabled={item.disabled}
              onClick={() => {
                close(true)
                item.onSelect()
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </>
  )
}
