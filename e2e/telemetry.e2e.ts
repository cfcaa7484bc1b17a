// Telemetry for hundreds of accounts, in Chromium against a test-only server with 50 and 200
// accounts whose real instrumented stores make about one operation pair per second each
// (support/telemetry-server.ts). Checks that the view's requests do not grow with the accounts (HTTP
// requests and WebSocket messages it sends, averaged over 30 s), that a store slowed by 150 ms is ranked
// first, that the picker finds an account by phone digits, and that ticks stay small. The figures
// (requests per second, tick sizes) go to test-results/telemetry-figures.json and the report.

import AxeBuilder from '@axe-core/playwright'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type { Browser, Page, TestInfo } from '@playwright/test'
import { HISTOGRAM_RELATIVE_ERROR } from '../src/main/core/telemetry/histogram'
import { AppShell } from './pages/app-shell'
import { TelemetryPage } from './pages/telemetry-page'
import { ROOT } from './support/build-renderer'
import { borderColours, fitsWidth, noSidewaysScroll } from './support/in-page'
import { expect, test } from './support/fixtures'
import { SLOW_DELAY_MS, type TelemetryServerInfo } from './support/telemetry-seed'

const MEASURE_MS = 30_000
const FIGURES = join(ROOT, 'test-results', 'telemetry-figures.json')

test.skip(({ target }) => target === 'electron', 'Drives the headless server over HTTP + WebSocket; the IPC transport carries the same commands and events.')
// Generous: the view is judged by what it shows and sends, never by how fast a shared machine renders it.
test.describe.configure({ mode: 'serial', timeout: 180_000 })

interface RunningServer {
  info: TelemetryServerInfo
  stop(): Promise<void>
}

interface Restart {
  dataDir: string
  /** base64 of the data key, the same for both starts. */
  key: string
  port?: string
  token?: string
}

async function startServer(accounts: number, restart?: Restart): Promise<RunningServer> {
  const args = ['tsx', 'e2e/support/telemetry-server.ts', '--accounts', String(accounts)]
  if (restart) args.push('--data-dir', restart.dataDir)
  if (restart?.port) args.push('--port', restart.port)
  // `--token=`: a random token may begin with '-', which parseArgs would take for an option.
  if (restart?.token) args.push(`--token=${restart.token}`)
  const child: ChildProcess = spawn('npx', args, {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: restart ? { ...process.env, IRISH_DATA_KEY: restart.key } : process.env,
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000)
  })
  const info = await new Promise<TelemetryServerInfo>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    lines.once('line', (line) => resolve(JSON.parse(line) as TelemetryServerInfo))
    child.once('exit', (code) => reject(new Error(`The telemetry test server exited (${code}) before it was ready:\n${stderr}`)))
  })
  return {
    info,
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.stdin?.end()
      await exited
    },
  }
}

interface Traffic {
  /** Requests (HTTP to /api and WebSocket messages sent) with their times. */
  sent: number[]
  /** Sizes of the telemetry:tick messages received, in bytes. */
  ticks: number[]
}

async function openPage(browser: Browser, info: TelemetryServerInfo, viewport: { width: number; height: number }): Promise<{ page: Page; traffic: Traffic }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 })
  const page = await context.newPage()
  const traffic: Traffic = { sent: [], ticks: [] }
  page.on('request', (request) => {
    if (new URL(request.url()).pathname.startsWith('/api/')) traffic.sent.push(Date.now())
  })
  page.on('websocket', (ws) => {
    ws.on('framesent', () => traffic.sent.push(Date.now()))
    ws.on('framereceived', (frame) => {
      const text = typeof frame.payload === 'string' ? frame.payload : frame.payload.toString('utf8')
      if (text.startsWith('{"event":"telemetry:tick"')) traffic.ticks.push(Buffer.byteLength(text))
    })
  })
  await page.goto(`${info.url}/#token=${info.token}`)
  return { page, traffic }
}

/** No serious or critical axe violations on what the page shows now. */
async function expectAccessible(page: Page): Promise<void> {
  const axe = await new AxeBuilder({ page }).analyze()
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  expect(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([])
}

function recordFigures(key: string, figures: Record<string, number>, testInfo: TestInfo): void {
  mkdirSync(join(ROOT, 'test-results'), { recursive: true })
  let all: Record<string, unknown> = {}
  try {
    all = JSON.parse(readFileSync(FIGURES, 'utf8')) as Record<string, unknown>
  } catch {
    all = {}
  }
  all[key] = figures
  writeFileSync(FIGURES, `${JSON.stringify(all, null, 2)}\n`)
  testInfo.annotations.push({ type: key, description: JSON.stringify(figures) })
  console.log(`[telemetry] ${key}: ${JSON.stringify(figures)}`)
}

for (const accounts of [50, 200]) {
  test.describe(`telemetry with ${accounts} accounts`, () => {
    let server: RunningServer
    test.beforeAll(async () => {
      server = await startServer(accounts)
    })
    test.afterAll(async () => {
      await server?.stop()
    })

    test(`the view makes at most one request per second over 30 s (${accounts} accounts)`, async ({ browser }, testInfo) => {
      const { page, traffic } = await openPage(browser, server.info, { width: 1280, height: 800 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      await expect(telemetry.ranking).toBeVisible()
      await expect(telemetry.keysPerAccount).toBeVisible()

      // The measured window: half of it on all accounts, then one account from the ranking (its series,
      // its watch and its totals are fetched once, then renewed), as an operator would use the view.
      const from = Date.now()
      await telemetry.page.waitForTimeout(MEASURE_MS / 2) // a measurement window, not a wait for a state
      await telemetry.rankingRow(0).getByRole('button').click()
      await expect(telemetry.scopeLine.locator('strong')).not.toHaveText('all accounts')
      await telemetry.page.waitForTimeout(from + MEASURE_MS - Date.now())
      const to = Date.now()

      const sent = traffic.sent.filter((t) => t >= from && t < to).length
      const perSecond = sent / ((to - from) / 1000)
      const ticks = traffic.ticks.slice(-20)
      recordFigures(
        `${accounts} accounts`,
        {
          requestsIn30s: sent,
          requestsPerSecond: Math.round(perSecond * 100) / 100,
          tickBytesAvg: Math.round(ticks.reduce((a, b) => a + b, 0) / Math.max(1, ticks.length)),
          tickBytesMax: Math.max(0, ...ticks),
        },
        testInfo,
      )
      expect(perSecond).toBeLessThanOrEqual(1)
      // The '*' aggregate and one watched account: a few points per tick, whatever the number of accounts.
      expect(ticks.length).toBeGreaterThan(5)
      expect(Math.max(...ticks)).toBeLessThan(4096)
      await page.context().close()
    })

    if (accounts !== 200) return

    test('ranks the account whose store answers 150 ms late first, and its row opens its charts', async ({ browser }, testInfo) => {
      const { slow } = server.info
      const { page } = await openPage(browser, server.info, { width: 1280, height: 800 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      await telemetry.range(1).check()
      await expect(telemetry.ranking).toHaveAccessibleName(/p99 latency, highest first, last 1 min/)
      // A fresh server has a few samples per account, and one stall of the shared machine is then every
      // affected account's p99; from about 100 samples (40 s of this load) p99 is the store's own again.
      await expect(telemetry.rankingRow(0)).toContainText(slow.label, { timeout: 60_000 })
      // Worst ten on the first screen, the rest behind a button.
      await expect(telemetry.ranking.getByRole('row')).toHaveCount(11)
      await shell.screenshot('telemetry-200-ranking', testInfo)

      // Sorting by errors, then back by p99: the slow account is first again.
      await telemetry.ranking.getByRole('button', { name: /Errors/ }).click()
      await expect(telemetry.ranking).toHaveAccessibleName(/ranked by errors/)
      await telemetry.ranking.getByRole('button', { name: /p99 ms/ }).click()
      await expect(telemetry.ranking).toHaveAccessibleName(/ranked by p99 latency, highest first/)
      await expect(telemetry.rankingRow(0)).toContainText(slow.label)

      await telemetry.rankingRow(0).getByRole('button', { name: slow.label }).click()
      await telemetry.expectScope(slow.label)
      // Its reads on the log axis: p50 above the added delay, where the others answer in about a millisecond.
      const readKeys = telemetry.chart(/^Read keys/)
      await expect(readKeys).toContainText(/p50 [\d.]+ ms/)
      const p50 = Number(/p50 ([\d.]+) ms/.exec((await readKeys.textContent()) ?? '')?.[1])
      // Percentiles are reported within the histogram's relative error (a bucket's midpoint).
      expect(p50).toBeGreaterThanOrEqual(SLOW_DELAY_MS * (1 - HISTOGRAM_RELATIVE_ERROR))
      await expect(page.getByRole('table', { name: `Signal keys stored for ${slow.label}` })).toBeVisible()
      await shell.screenshot('telemetry-200-slow-account', testInfo)
      await page.context().close()
    })

    test('the picker finds an account by phone digits, and its charts keep moving', async ({ browser }, testInfo) => {
      const target = server.info.accounts[137]!
      const { page } = await openPage(browser, server.info, { width: 1280, height: 800 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      await expect(telemetry.ranking).toBeVisible()
      await shell.screenshot('telemetry-200-all', testInfo)

      // A tooltip per point: hovering the all-accounts latency chart near the right edge of the last
      // minute (every second there has reads) names the second and each percentile.
      await telemetry.range(1).check()
      const readKeys = telemetry.chart(/^Read keys/)
      await expect(readKeys).toContainText(/[1-9]\d* data points?/)
      const over = readKeys.locator('.u-over')
      const plot = await over.boundingBox()
      expect(plot).not.toBeNull()
      // hover() scrolls the chart into view first, then moves the mouse to that point of the plot.
      await over.hover({ position: { x: plot!.width * 0.97, y: plot!.height / 2 } })
      await expect(readKeys.locator('.chart-tooltip')).toContainText(/p50: [\d.]+ ms.*p99: [\d.]+ ms/)
      await shell.screenshot('telemetry-200-tooltip', testInfo)

      // Typed as a person would: with the plus, spaces and a dash.
      const digits = target.phone
      await telemetry.picker.fill(`+${digits.slice(0, 2)} ${digits.slice(2, 5)} ${digits.slice(5, 9)}-${digits.slice(9)}`)
      await expect(page.getByRole('listbox', { name: 'Matching accounts' }).getByRole('option')).toHaveCount(1)
      await shell.screenshot('telemetry-200-picker', testInfo)
      await page.getByRole('option', { name: new RegExp(target.label) }).click()
      await telemetry.expectScope(target.label)
      await expect(telemetry.scopeLine).toContainText(`+${digits}`)

      // Ticks carry this account now that the view watches it: the chart's newest second moves on.
      await telemetry.expectDataPoints('Operations per second')
      const first = await telemetry.newestSecond('Operations per second')
      await expect.poll(() => telemetry.newestSecond('Operations per second')).not.toBe(first)
      await shell.screenshot('telemetry-200-account', testInfo)
      await expectAccessible(page)
      await page.context().close()
    })

    test('charts: a unit on every y axis, each line\'s newest value without hovering, and colours told apart in both themes', async ({ browser }, testInfo) => {
      const { page } = await openPage(browser, server.info, { width: 1280, height: 800 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      const readKeys = telemetry.chart(/^Read keys/)
      await expect(readKeys.locator('.chart-axis-unit')).toHaveText('ms (log scale)')
      await expect(telemetry.chart('Operations per second').locator('.chart-axis-unit')).toHaveText('per second')
      await expect(telemetry.chart('Cache hit ratio').locator('.chart-axis-unit')).toHaveText('% of lookups')
      // The legend reads without the mouse anywhere near the chart.
      const legend = readKeys.getByRole('list', { name: /newest values$/ })
      await expect(legend.getByRole('listitem')).toHaveText([/^p50 [\d.]+ ms$/, /^p95 [\d.]+ ms$/, /^p99 [\d.]+ ms$/])
      for (const theme of ['Light', 'Dark'] as const) {
        await page.getByRole('combobox', { name: 'Theme' }).selectOption(theme)
        const rgb = await legend.locator('.chart-swatch').evaluateAll(borderColours)
        expect(rgb).toHaveLength(3)
        for (let i = 0; i < rgb.length; i++) {
          for (let j = i + 1; j < rgb.length; j++) {
            const [a, b] = [rgb[i]!, rgb[j]!]
            const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2])
            expect(distance, `${theme}: rgb(${a.join()}) and rgb(${b.join()}) are too alike`).toBeGreaterThan(100)
          }
        }
        await shell.screenshot(`telemetry-200-charts-${theme.toLowerCase()}`, testInfo)
      }
      await page.getByRole('combobox', { name: 'Theme' }).selectOption('System')
      await page.context().close()
    })

    test('the ranking shows each row\'s samples and leaves out accounts under the minimum, saying so', async ({ browser }, testInfo) => {
      const { page } = await openPage(browser, server.info, { width: 1280, height: 800 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      await expect(telemetry.ranking.getByRole('columnheader', { name: 'Samples' })).toBeVisible()
      await expect(telemetry.rankingRow(0).locator('td').last()).toHaveText(/^[\d,]+$/)
      // A minimum no account reaches: none is ranked, and the view says why.
      await shell.openSettings()
      await page.getByLabel('Minimum samples to rank an account').fill('1000000')
      await page.getByRole('button', { name: 'Save settings' }).click()
      await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
      await shell.openTelemetry()
      await expect(page.locator('[data-field="ranking-left-out"]')).toHaveText(
        /^200 accounts with fewer than 1,000,000 samples in the last 15 min are not ranked \(the minimum is in Settings\)\.$/,
      )
      await expect(telemetry.ranking.getByRole('row')).toHaveCount(1)
      await shell.screenshot('telemetry-200-ranking-minimum', testInfo)
      await shell.openSettings()
      await page.getByLabel('Minimum samples to rank an account').fill('0')
      await page.getByRole('button', { name: 'Save settings' }).click()
      await expect(page.getByRole('alert')).toHaveText('The minimum number of samples is at least 1.')
      await page.getByLabel('Minimum samples to rank an account').fill('1')
      await page.getByRole('button', { name: 'Save settings' }).click()
      await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
      await shell.openTelemetry()
      await expect(telemetry.ranking.getByRole('row')).toHaveCount(11)
      await page.context().close()
    })

    test('fits a 390 px phone: no sideways scrolling, the picker and one account\'s charts', async ({ browser }, testInfo) => {
      const target = server.info.accounts[42]!
      const { page } = await openPage(browser, server.info, { width: 390, height: 844 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      await expect(telemetry.ranking).toBeVisible()
      await shell.screenshot('telemetry-200-all', testInfo)
      expect(await page.evaluate(fitsWidth)).toBe(true)
      // The ranking keeps every column on the phone: abbreviated headers, names that wrap, no sideways scroll.
      await expect(telemetry.ranking.getByRole('columnheader', { name: 'p99', exact: true })).toBeVisible()
      const rankingBox = page.getByRole('region', { name: 'Ranking of accounts' })
      expect(await rankingBox.evaluate(noSidewaysScroll)).toBe(true)

      await telemetry.picker.fill(target.label)
      await expect(page.getByRole('listbox', { name: 'Matching accounts' }).getByRole('option')).toHaveCount(1)
      await shell.screenshot('telemetry-200-picker', testInfo)
      await page.getByRole('listbox', { name: 'Matching accounts' }).getByRole('option').click()
      await telemetry.expectScope(target.label)
      await telemetry.expectDataPoints('Operations per second')
      await shell.screenshot('telemetry-200-account', testInfo)
      expect(await page.evaluate(fitsWidth)).toBe(true)
      await expectAccessible(page)
      await page.context().close()
    })
  })
}

test.describe('telemetry across a server restart', () => {
  test('charts and totals both start again from what the restarted server counted', async ({ browser }) => {
    const restart: Restart = { dataDir: mkdtempSync(join(tmpdir(), 'irish-e2e-telemetry-restart-')), key: randomBytes(32).toString('base64') }
    let server = await startServer(20, restart)
    try {
      const { page } = await openPage(browser, server.info, { width: 1280, height: 800 })
      const shell = new AppShell(page)
      const telemetry = new TelemetryPage(page)
      await shell.openTelemetry()
      await telemetry.range(5).check()
      // Half a minute of history before the restart.
      await expect.poll(() => telemetry.dataPoints('Operations per second'), { timeout: 60_000 }).toBeGreaterThanOrEqual(30)
      const requestsBefore = await telemetry.tileNumber('Requests')
      // The loop's delay is its own figure beside the store's: this server's, with its maximum.
      const loopTile = page.locator('.tile').filter({ has: page.locator('dt', { hasText: 'Event-loop delay p99' }) })
      await expect(loopTile.locator('dd')).toContainText(/^[\d.,]+ ms\s*max [\d.,]+ ms/)

      await server.stop()
      await expect(shell.disconnectedBanner).toBeVisible()
      const restartedAt = Date.now()
      server = await startServer(20, { ...restart, port: new URL(server.info.url).port, token: server.info.token })
      await expect(shell.disconnectedBanner).toBeHidden({ timeout: 60_000 })

      // The page refetched on reconnect: the chart holds only seconds the restarted server counted (before,
      // it kept the old server's points beside the new totals), and the totals count only those too.
      await expect
        .poll(async () => (await telemetry.dataPoints('Operations per second')) <= (Date.now() - restartedAt) / 1000 + 1)
        .toBe(true)
      await expect.poll(() => telemetry.tileNumber('Requests')).toBeLessThan(requestsBefore)
      await page.context().close()
    } finally {
      await server.stop()
      rmSync(restart.dataDir, { recursive: true, force: true })
    }
  })
})
