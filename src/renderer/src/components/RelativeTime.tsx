// "12 seconds ago" that keeps counting. Only this element re-renders each second (on the shared clock of
// lib/time.ts), not the row or card around it, so a table of rows can stay memoised and still tick.

import { formatDateTime, formatRelative, useNow } from '../lib/time'

export function RelativeTime({ at }: { at: number }) {
  const now = useNow()
  return (
    <time dateTime={new Date(at).toISOString()} title={formatDateTime(at)}>
      {/* A time a little ahead of this browser's clock reads "just now", not "in 2 seconds". */}
      {formatRelative(at, Math.max(now, at))}
    </time>
  )
}
