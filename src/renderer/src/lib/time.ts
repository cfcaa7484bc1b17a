// Times as an operator reads them. One date and time format across the app, in the browser's locale and
// always with seconds (an activity log, deliveries and messages are read in order): formatDateTime, and
// formatTime for its time part alone. Besides it, relative times ("3 minutes ago", with the full time
// as their title) and countdowns ("0:42"). Pure functions, plus one shared one-second clock for every
// view that counts (relative times, QR countdowns), so a hundred rows cost one timer.

import { useSyncExternalStore } from 'react'

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

export function formatRelative(at: number, now: number): string {
  const seconds = Math.round((at - now) / 1000)
  const abs = Math.abs(seconds)
  if (abs < 5) return 'just now'
  if (abs < 60) return relative.format(seconds, 'second')
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute')
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour')
  return relative.format(Math.round(seconds / 86_400), 'day')
}

/** "1:05" for 65 seconds; never negative. */
export function formatCountdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000))
  const minutes = Math.floor(total / 60)
  const seconds = total % 60
  return `${minutes}:${String(seconds).padStart(2, '0')}`
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' })
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' })

/** "12 Mar 2026, 14:03:12" (as the locale writes it): the one date and time format. */
export function formatDateTime(at: number): string {
  return dateTime.format(at)
}

/** "14:03:12": the time part of formatDateTime, where the day goes without saying. */
export function formatTime(at: number): string {
  return time.format(at)
}

let now = Date.now()
const listeners = new Set<() => void>()
let timer: ReturnType<typeof setInterval> | null = null

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (timer === null) {
    now = Date.now()
    timer = setInterval(() => {
      now = Date.now()
      for (const l of listeners) l()
    }, 1000)
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer)
      timer = null
    }
  }
}

/** The current time, re-rendering the caller once a second. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now)
}

/** A heartbeat's age as an operator scans a list of servers: "0.4 s", "12 s", "3 min 5 s", "2 h 10 min". */
export function formatAge(ms: number): string {
  const safe = Math.max(0, ms)
  if (safe < 10_000) return `${(Math.floor(safe / 100) / 10).toFixed(1)} s`
  const seconds = Math.floor(safe / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}
