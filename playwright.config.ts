// End-to-end specs (e2e/*.e2e.ts) against the real headless server and the local WhatsApp simulator.
// Two projects run the same specs: 'web' drives the renderer in Chromium (Debian's, else one from npm:
// scripts/find-chromium.mjs) through the HTTP +
// WebSocket transport; 'electron' drives the desktop app through IPC and skips, with the reason, on a
// machine without an Electron binary. One worker: the specs share one server and build on each other.

import { mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { defineConfig } from '@playwright/test'
import type { E2eOptions } from './e2e/support/fixtures'
import { findChromium } from './scripts/find-chromium.mjs'

// Chromium writes its profile caches here, never into root's home.
const chromiumHome = join(tmpdir(), 'irish-e2e-chromium')
mkdirSync(chromiumHome, { recursive: true })

const chromium = findChromium()
// Without one the 'web' project is left out, saying why (`npm test` says so too, or fails where every
// part is required); the 'electron' project does not need it (the release runners have none).
if ('missing' in chromium) console.warn(`[e2e] the 'web' project is left out: ${chromium.missing}`)
const browser = 'missing' in chromium ? null : chromium

export default defineConfig<E2eOptions>({
  testDir: './e2e',
  testMatch: '**/*.e2e.ts',
  outputDir: './test-results',
  globalSetup: './e2e/support/global-setup.ts',
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 20_000 },
  // IRISH_E2E_JSON: where `npm test` (scripts/run-tests.mjs) reads the counts for its closing line.
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'playwright-report' }],
    ...(process.env.IRISH_E2E_JSON ? [['json', { outputFile: process.env.IRISH_E2E_JSON }] as ['json', { outputFile: string }]] : []),
  ],
  use: {
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // IRISH_CHROMIUM names another Chromium-family browser (GitHub's Ubuntu runners ship Google Chrome,
      // and their apt `chromium` is only a stub for a snap).
      executablePath: browser?.executablePath,
      // Root, no network, no GPU: what the test machines are (docs/runtime.md, "Test machines").
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
      env: { ...process.env, ...browser?.env, XDG_CONFIG_HOME: join(chromiumHome, 'config'), XDG_CACHE_HOME: join(chromiumHome, 'cache') },
    },
  },
  projects: [
    ...(browser ? [{ name: 'web', use: { browserName: 'chromium' as const, target: 'web' as const } }] : []),
    { name: 'electron', use: { target: 'electron' } },
  ],
})
