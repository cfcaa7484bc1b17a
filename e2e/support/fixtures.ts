// The fixtures every spec uses. `target` picks what runs the UI: 'web' (Chromium against the headless
// server started by global-setup.ts) or 'electron' (the desktop app through _electron.launch). `app` is
// one page shared by all tests of a worker, because the specs tell one story (add, pair, message,
// stop, remove) on one server. Specs check app.takeErrors() after each test: no console errors.

import { test as base, expect, _electron, type ConsoleMessage, type ElectronApplication, type Page } from '@playwright/test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT } from './build-renderer'
import { findElectronBinary, packagedApp } from './electron-binary'

export interface E2eOptions {
  target: 'web' | 'electron'
}

export interface Server {
  url: string
  token: string
}

export interface AppHandle {
  page: Page
  /** Console errors and uncaught page errors since the last check. */
  takeErrors(): string[]
  /** The desktop app itself (its other windows), with the 'electron' target only. */
  electron?: ElectronApplication
}

const electron = findElectronBinary()
export const ELECTRON_SKIP_REASON = `No Electron binary on this machine: ${electron.problem ?? ''}`

export function server(): Server {
  const url = process.env.IRISH_E2E_URL
  const token = process.env.IRISH_E2E_TOKEN
  if (!url || !token) throw new Error('IRISH_E2E_URL and IRISH_E2E_TOKEN are unset: run the specs with `npx playwright test`.')
  return { url, token }
}

/**
 * How the specs start the desktop app: the packaged app when IRISH_E2E_PACKAGED_APP names one (it
 * carries its own main script), else Electron on the development build. `extraArgs` go last, where the
 * OS puts a file opened with the app.
 */
export function electronLaunchOptions(userData: string, extraArgs: string[] = []): Parameters<typeof _electron.launch>[0] {
  return {
    executablePath: electron.path ?? undefined,
    args: [...(packagedApp() ? [] : [join(ROOT, 'out', 'main', 'index.js')]), `--user-data-dir=${userData}`, ...extraArgs],
    cwd: ROOT,
    env: { ...process.env, IRISH_SIMULATOR: '1', IRISH_DATA_KEY: randomBytes(32).toString('base64') },
  }
}

/** Collects what the page reports as errors, so a test can assert there were none. */
export function watchErrors(page: Page): () => string[] {
  let errors: string[] = []
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`)
  })
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`))
  return () => {
    const taken = errors
    errors = []
    return taken
  }
}

export const test = base.extend<object, E2eOptions & { app: AppHandle }>({
  target: ['web', { option: true, scope: 'worker' }],

  app: [
    async ({ target, browser }, use, workerInfo) => {
      if (target === 'electron') {
        // Only reached when a binary exists: every spec skips the electron project otherwise.
        // A fresh profile and data key per run; IRISH_SIMULATOR asks the shell for the in-process
        // simulator the way the server's --simulator does (see the report: the shell does not read it yet).
        const userData = mkdtempSync(join(tmpdir(), 'irish-e2e-electron-'))
        const app = await _electron.launch(electronLaunchOptions(userData))
        const page = await app.firstWindow()
        const takeErrors = watchErrors(page)
        await use({ page, takeErrors, electron: app })
        await app.close()
        rmSync(userData, { recursive: true, force: true })
        return
      }
      const { url, token } = server()
      const context = await browser.newContext({ viewport: workerInfo.project.use.viewport ?? { width: 1280, height: 800 } })
      const page = await context.newPage()
      const takeErrors = watchErrors(page)
      await page.goto(`${url}/#token=${token}`)
      await use({ page, takeErrors })
      await context.close()
    },
    { scope: 'worker', timeout: 60_000 },
  ],
})

/** Skips the electron project, with the reason, where no Electron binary exists. Call at file level. */
export function skipWithoutElectron(): void {
  test.skip(({ target }) => target === 'electron' && electron.problem !== null, ELECTRON_SKIP_REASON)
}

export { expect }
