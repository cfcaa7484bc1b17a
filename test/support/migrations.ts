// A copy of a drizzle migrations folder that stops at a given migration, so a test can build a database
// as an older release left it, put rows in it, and then open it with every migration (data-moving
// migrations each have such a test). Test-only; the copy lives in a temp folder the caller removes.

import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

interface Journal {
  entries: Array<{ tag: string }>
}

/** Copies `folder` into `into`, keeping the journal's entries up to and including `lastTag`. */
export function migrationsUpTo(folder: string, lastTag: string, into: string): string {
  cpSync(folder, into, { recursive: true })
  const path = join(into, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(path, 'utf8')) as Journal
  const last = journal.entries.findIndex((entry) => entry.tag === lastTag)
  if (last < 0) throw new Error(`no migration ${lastTag} in ${folder}`)
  writeFileSync(path, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }, null, 2))
  return into
}
