// Where the desktop app finds its native SQLite module and its migrations, in development and in a
// packaged app. Pure and Electron-free so it is tested under Node: index.ts passes in what Electron
// knows (process.resourcesPath, app.getAppPath(), app.isPackaged).
//
// The packaged layout is what electron-builder.yml produces: the app in resources/app.asar, native
// modules unpacked beside it in resources/app.asar.unpacked (a .node file cannot be loaded from inside an
// asar), and the drizzle/ migrations copied as plain files to resources/drizzle.

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AppError } from '../../shared/errors'
import { missingNativeModuleError } from '../core/db/open-database'

export interface PackagedPathsInput {
  /** process.resourcesPath: the folder holding app.asar in a packaged app. */
  resourcesPath: string
  /** app.getAppPath(): the project folder in development, resources/app.asar when packaged. */
  appPath: string
  env: NodeJS.ProcessEnv
  isPackaged: boolean
  /** process.platform and process.arch: which of better-sqlite3's prebuilt binaries applies. */
  platform: string
  arch: string
  /** Injected so tests can describe a layout; the shell passes existsSync. */
  exists?: (path: string) => boolean
}

export interface ElectronPaths {
  /** A better-sqlite3 binary to load instead of the package's own, or undefined for the package's own. */
  sqliteBinding: string | undefined
  migrationsFolder: string
}

/**
 * better-sqlite3 13 is a Node-API module, so one binary serves Node and Electron: the packaged app loads
 * the prebuilt binary for this platform from the unpacked node_modules. IRISH_SQLITE_BINDING overrides it
 * (a hand-built binary); in development native/electron/better_sqlite3.node is used when present, else the
 * package's own binary. Throws the storage layer's clear error when a packaged file is missing, before any
 * window opens, rather than letting require() fail somewhere deeper.
 */
export function resolveElectronPaths(input: PackagedPathsInput): ElectronPaths {
  const exists = input.exists ?? existsSync
  const override = input.env.IRISH_SQLITE_BINDING
  let sqliteBinding: string | undefined
  if (override) {
    if (!exists(override)) throw missingNativeModuleError(override)
    sqliteBinding = override
  } else if (input.isPackaged) {
    sqliteBinding = join(input.resourcesPath, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'prebuilds', `${input.platform}-${input.arch}.node`)
    if (!exists(sqliteBinding)) throw missingNativeModuleError(sqliteBinding)
  } else {
    const local = join(input.appPath, 'native', 'electron', 'better_sqlite3.node')
    sqliteBinding = exists(local) ? local : undefined
  }

  const migrationsFolder = input.isPackaged ? join(input.resourcesPath, 'drizzle') : join(input.appPath, 'drizzle')
  if (!exists(join(migrationsFolder, 'meta', '_journal.json'))) {
    throw new AppError('unavailable', `The database migrations are missing from ${migrationsFolder}; reinstall Irish Desktop.`)
  }
  return { sqliteBinding, migrationsFolder }
}
