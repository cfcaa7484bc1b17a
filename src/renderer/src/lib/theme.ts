// The light or dark theme: the operator's choice (system, light, dark), kept in this browser, with
// "system" the default. The choice resolves to data-theme="light" or "dark" on <html>, which
// styles/theme.css reads; under "system" it follows the OS as it changes. Set before the first render
// (main.tsx), so a dark page never flashes light.

import { useSyncExternalStore } from 'react'
import { readPreference, writePreference } from './preferences'

export const THEME_CHOICES = ['system', 'light', 'dark'] as const
export type ThemeChoice = (typeof THEME_CHOICES)[number]
export const THEME_LABELS: Record<ThemeChoice, string> = { system: 'System', light: 'Light', dark: 'Dark' }

const KEY = 'theme'
const darkQuery = (): MediaQueryList | null => (typeof window.matchMedia === 'function' ? window.matchMedia('(prefers-color-scheme: dark)') : null)

let choice: ThemeChoice = readPreference(KEY, (value) => (THEME_CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : null)) ?? 'system'
const listeners = new Set<() => void>()

export function resolveTheme(picked: ThemeChoice, systemDark: boolean): 'light' | 'dark' {
  return picked === 'system' ? (systemDark ? 'dark' : 'light') : picked
}

function apply(): void {
  document.documentElement.dataset.theme = resolveTheme(choice, darkQuery()?.matches ?? false)
}

/** Applies the remembered choice and follows the system from now on. Once, before the first render. */
export function startTheme(): void {
  apply()
  darkQuery()?.addEventListener('change', apply)
  // Another tab changed the choice: this one follows.
  window.addEventListener('storage', (event) => {
    if (event.key !== null && !event.key.endsWith(KEY)) return
    choice = readPreference(KEY, (value) => (THEME_CHOICES.includes(value as ThemeChoice) ? (value as ThemeChoice) : null)) ?? 'system'
    apply()
    for (const listener of listeners) listener()
  })
}

export function setTheme(next: ThemeChoice): void {
  choice = next
  // "system" is the default: nothing to remember.
  writePreference(KEY, next === 'system' ? null : next)
  apply()
  for (const listener of listeners) listener()
}

/** The theme in use now ('light' or 'dark'): what a canvas that reads the theme's colours draws with. */
export function useResolvedTheme(): 'light' | 'dark' {
  return useSyncExternalStore(
    (listener) => {
      const observer = new MutationObserver(listener)
      observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] })
      return () => observer.disconnect()
    },
    () => (document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light'),
  )
}

export function useThemeChoice(): ThemeChoice {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    () => choice,
  )
}
