// Whether this machine can launch the Electron app. It mirrors how `require('electron')` finds the
// binary (node_modules/electron/path.txt, then dist/<that path>, or ELECTRON_OVERRIDE_DIST_PATH) without
// calling it: since Electron 42 that require downloads the binary when it is missing, which on a
// machine without internet prints noise, waits on the network and then throws.

import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type ElectronBinary = { path: string; problem: null } | { path: null; problem: string }

/**
 * IRISH_E2E_PACKAGED_APP: the executable of a packaged app (the release pipeline sets it after
 * `npm run dist`), launched as it is installed, without out/main/index.js on its command line.
 */
export function packagedApp(): string | null {
  return process.env.IRISH_E2E_PACKAGED_APP || null
}

export function findElectronBinary(): ElectronBinary {
  const packaged = packagedApp()
  if (packaged) {
    return existsSync(packaged) ? { path: packaged, problem: null } : { path: null, problem: `IRISH_E2E_PACKAGED_APP names ${packaged}, which does not exist.` }
  }
  const require = createRequire(import.meta.url)
  let packageDir: string
  try {
    packageDir = dirname(require.resolve('electron/package.json'))
  } catch {
    return { path: null, problem: 'the electron package is not installed.' }
  }
  const pathFile = join(packageDir, 'path.txt')
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH
  if (override) {
    const candidate = join(override, relative ?? 'electron')
    return existsSync(candidate) ? { path: candidate, problem: null } : { path: null, problem: `ELECTRON_OVERRIDE_DIST_PATH has no ${candidate}.` }
  }
  if (!relative) {
    return {
      path: null,
      problem: `${pathFile} is missing: Electron 42+ downloads its binary on first use, and this machine cannot reach the download.`,
    }
  }
  const candidate = join(packageDir, 'dist', relative)
  return existsSync(candidate) ? { path: candidate, problem: null } : { path: null, problem: `${candidate} does not exist.` }
}
