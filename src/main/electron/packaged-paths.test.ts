import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isAppError } from '../../shared/errors'
import { resolveElectronPaths } from './packaged-paths'

// A real folder laid out as electron-builder lays out a packaged app (see electron-builder.yml).
let root: string
let resources: string

function touch(path: string): void {
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, '')
}

function packagedLayout(): void {
  touch(join(resources, 'app.asar'))
  touch(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node'))
  touch(join(resources, 'drizzle', 'meta', '_journal.json'))
}

function packaged(env: NodeJS.ProcessEnv = {}) {
  return { resourcesPath: resources, appPath: join(resources, 'app.asar'), env, isPackaged: true, platform: 'linux', arch: 'x64' }
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'irish-packaged-'))
  resources = join(root, 'resources')
})
afterEach(() => rmSync(root, { recursive: true, force: true }))

function thrown(run: () => unknown): { code: string; message: string } {
  try {
    run()
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected an AppError')
}

describe('resolveElectronPaths, packaged', () => {
  it('finds the unpacked better-sqlite3 binary and the migrations under resourcesPath', () => {
    packagedLayout()
    expect(resolveElectronPaths(packaged())).toEqual({
      sqliteBinding: join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node'),
      migrationsFolder: join(resources, 'drizzle'),
    })
  })

  it('picks the binary for the platform and architecture it runs on', () => {
    touch(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', 'darwin-arm64.node'))
    touch(join(resources, 'drizzle', 'meta', '_journal.json'))
    const paths = resolveElectronPaths({ ...packaged(), platform: 'darwin', arch: 'arm64' })
    expect(paths.sqliteBinding).toBe(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', 'darwin-arm64.node'))
  })

  it('gives the storage layer\'s clear error when the native module was not unpacked', () => {
    touch(join(resources, 'drizzle', 'meta', '_journal.json'))
    const missing = join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node')
    expect(thrown(() => resolveElectronPaths(packaged()))).toEqual({
      code: 'unavailable',
      message: `The SQLite native module ${missing} does not exist; rebuild it for this runtime.`,
    })
  })

  it('says the migrations are missing rather than opening a database without them', () => {
    touch(join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', 'linux-x64.node'))
    expect(thrown(() => resolveElectronPaths(packaged()))).toEqual({
      code: 'unavailable',
      message: `The database migrations are missing from ${join(resources, 'drizzle')}; reinstall Irish Desktop.`,
    })
  })

  it('lets IRISH_SQLITE_BINDING override the packaged binary, and rejects one that does not exist', () => {
    packagedLayout()
    const custom = join(root, 'custom.node')
    touch(custom)
    expect(resolveElectronPaths(packaged({ IRISH_SQLITE_BINDING: custom })).sqliteBinding).toBe(custom)
    const gone = join(root, 'gone.node')
    expect(thrown(() => resolveElectronPaths(packaged({ IRISH_SQLITE_BINDING: gone }))).message).toBe(
      `The SQLite native module ${gone} does not exist; rebuild it for this runtime.`,
    )
  })
})

describe('resolveElectronPaths, development', () => {
  const dev = (appPath: string) => ({ resourcesPath: join(root, 'electron-dist'), appPath, env: {}, isPackaged: false, platform: 'linux', arch: 'x64' })

  it('uses native/electron/better_sqlite3.node in the project when present', () => {
    const project = join(root, 'project')
    touch(join(project, 'native', 'electron', 'better_sqlite3.node'))
    touch(join(project, 'drizzle', 'meta', '_journal.json'))
    expect(resolveElectronPaths(dev(project))).toEqual({
      sqliteBinding: join(project, 'native', 'electron', 'better_sqlite3.node'),
      migrationsFolder: join(project, 'drizzle'),
    })
  })

  it('falls back to better-sqlite3\'s own binary when there is no local build', () => {
    const project = join(root, 'project')
    touch(join(project, 'drizzle', 'meta', '_journal.json'))
    expect(resolveElectronPaths(dev(project)).sqliteBinding).toBeUndefined()
  })

  it('the repository itself resolves: its drizzle/ folder is where development expects it', () => {
    const repo = join(import.meta.dirname, '..', '..', '..')
    expect(resolveElectronPaths(dev(repo)).migrationsFolder).toBe(join(repo, 'drizzle'))
  })
})
