// The theme choice (system, light, dark), kept in this browser (lib/theme.ts). One control, used in the
// top bar and in Settings, so it reads the same wherever it is changed.

import { useId } from 'react'
import { setTheme, THEME_CHOICES, THEME_LABELS, useThemeChoice, type ThemeChoice } from '../lib/theme'

export function ThemeSwitch({ className, label = 'Theme' }: { className?: string; label?: string }) {
  const id = useId()
  const choice = useThemeChoice()
  return (
    <span className={className}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={choice} onChange={(event) => setTheme(event.target.value as ThemeChoice)}>
        {THEME_CHOICES.map((option) => (
          <option key={option} value={option}>
            {THEME_LABELS[option]}
          </option>
        ))}
      </select>
    </span>
  )
}
