// The settings store on a real SQLite database: a setting added after the database was written reads as
// its default, a change persists, and a bad value is refused in words with nothing written.

import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { commands, describeZodError } from '../../../shared/contract'
import { openDatabase, type OpenedDatabase } from '../db/open-database'
import { silentLogger } from '../logger'
import { proxySecrets } from '../proxy/proxy-secret'
import { createSettingsStore } from './settings-store'
import { sqliteSettingsRows } from './sqlite-settings-rows'

describe('the settings store', () => {
  let dir: string
  let opened: OpenedDatabase
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'irish-settings-'))
    opened = openDatabase({ file: join(dir, 'irish.db'), dataKey: randomBytes(32) })
  })
  afterEach(() => {
    opened.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads the ranking minimum as 100 until set, then keeps what was set', () => {
    // What an older version wrote: no row for the ranking minimum.
    opened.sqlite.prepare("INSERT INTO settings (key, value) VALUES ('autoStart', 'false')").run()
    const store = createSettingsStore(sqliteSettingsRows(opened.db), silentLogger(), proxySecrets(opened.sealer))
    expect(store.get()).toMatchObject({ autoStart: false, rankingMinSamples: 100 })
    store.set({ rankingMinSamples: 250 })
    expect(createSettingsStore(sqliteSettingsRows(opened.db), silentLogger(), proxySecrets(opened.sealer)).get()).toMatchObject({ autoStart: false, rankingMinSamples: 250 })
  })

  it('refuses a minimum that is not a whole number of at least 1, naming it', () => {
    const input = commands['settings:set'].input
    for (const [value, words] of [
      [0, 'The minimum number of samples is at least 1.'],
      [2.5, 'The minimum number of samples is a whole number.'],
      ['ten', 'The minimum number of samples is a whole number.'],
    ] as const) {
      const parsed = input.safeParse({ rankingMinSamples: value })
      expect(parsed.success).toBe(false)
      expect(describeZodError(parsed.error!, 'settings:set')).toBe(words)
    }
  })
})
