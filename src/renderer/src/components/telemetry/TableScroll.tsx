// A wide table that scrolls sideways inside its panel, never the page (a 390 px phone). Focusable and
// named, so a keyboard user can scroll it too (axe: scrollable-region-focusable).

import type { ReactNode } from 'react'

export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  )
}
