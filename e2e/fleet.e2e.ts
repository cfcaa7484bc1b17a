// Accounts at scale: 500 accounts on a server of their own (e2e/support/fleet-server.ts, test-only),
// their statuses pushed through the core's event bus, the real path to the page. Search, the status
// chips, sorting and a bulk stop of every connected account must work on all 500. No timings are
// asserted here (bench/ and the closing note hold those); the spec fails on wrong results only.

import type { Page } from '@playwright/test'
import { AccountsTablePage } from './pages/accounts-table-page'
import { AppShell } from './pages/app-shell'
import { countWhere, expectedCount, FLEET_SIZE, startFleetServer, type FleetServer } from './support/fleet'
import { expectNoSeriousViolations } from './support/axe'
import { expect, test, watchErrors } from './support/fixtures'
import { hasText, readClipboard, scrollToEnd, scrollToStart } from './support/in-page'

test.describe.configure({ mode: 'serial' })
test.skip(({ target }) => target === 'electron', 'The 500-account server is headless: the web project covers it.')

let fleet: FleetServer
let page: Page
let takeErrors: () => string[]

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000)
  fleet = await startFleetServer()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  page = await context.newPage()
  takeErrors = watchErrors(page)
  await page.goto(`${fleet.url}/#token=${fleet.token}`)
})

test.afterAll(async () => {
  await page?.context().close()
  await fleet?.stop()
})

test.afterEach(() => {
  expect(takeErrors(), 'console errors on the page').toEqual([])
})

test('opens 500 accounts as a table, then shows the statuses the events carry', async ({ browserName: _browserName }, testInfo) => {
  const table = new AccountsTablePage(page)
  await expect(table.table).toBeVisible()
  await expect(table.shownCount).toHaveText(`${FLEET_SIZE} shown`)
  // Only the rows in view are drawn; the table tells assistive technology how many there are.
  await expect(table.table).toHaveAttribute('aria-rowcount', String(FLEET_SIZE + 1))
  expect(await table.rows.count()).toBeLessThan(60)
  await fleet.inject()
  await expect(table.chip('Connected')).toHaveText(`Connected ${expectedCount('connected')}`)
  await expect(table.row('Fleet 003').locator('[data-status]')).toHaveText('Logged out')
  await expect(table.row('Fleet 007').locator('[data-status]')).toHaveText('Reconnecting')
  // The "Since" column counts on its own: a change a few seconds old reads a new number within
  // two seconds, not only at the next re-render of the row.
  const since = table.row('Fleet 007').locator('time')
  await expect(since).toHaveText(/^\d+ seconds? ago$/, { timeout: 15_000 })
  const first = await since.textContent()
  await expect(since).not.toHaveText(first!, { timeout: 2_500 })
  // Forty-five accounts failing at once make a summary notice or a few (however the burst of events
  // is split), never forty-five.
  const notices = page.getByRole('region', { name: 'Notifications' }).getByRole('alert')
  await expect(notices.filter({ hasText: /\d+ accounts stopped running/ }).first()).toBeVisible()
  expect(await notices.count()).toBeLessThanOrEqual(3)
  await new AppShell(page).screenshot('20-accounts-table-500', testInfo)
  // Each dismissal removes its toast: always the first one left.
  for (let left = await notices.count(); left > 0; left = await notices.count()) {
    await notices.first().getByRole('button', { name: 'Dismiss' }).click()
    await expect(notices).toHaveCount(left - 1)
  }
  await expect(notices).toHaveCount(0)
  // axe on a filtered table: the same markup, and a check that does not take a minute on 500 rows.
  await table.onlyChips('Failed')
  await expect(table.shownCount).toHaveText(`${failedOther} of ${FLEET_SIZE} shown`)
  await expectNoSeriousViolations(page)
  await table.onlyChips()
})

/** Failed accounts that are neither a QR that expired nor refused by WhatsApp: the "Failed" chip. */
const failedOther = countWhere((x) => x.status === 'failed' && x.paired && x.lastDisconnectCode !== 403)

/** Records a figure for the closing note (never asserted: speed belongs in benchmarks, not in tests). */
function note(testInfo: { annotations: Array<{ type: string; description?: string }> }, what: string, startedAt: number): void {
  const description = `${what}: ${Date.now() - startedAt} ms, Playwright's round trips included`
  testInfo.annotations.push({ type: 'timing', description })
  console.log(`[fleet timing] ${description}`)
}

test('searches by label, phone, name and id', async ({ browserName: _browserName }, testInfo) => {
  const table = new AccountsTablePage(page)
  const searchStarted = Date.now()
  await table.search.fill('Fleet 042')
  await expect(table.shownCount).toHaveText(`1 of ${FLEET_SIZE} shown`)
  note(testInfo, `search over ${FLEET_SIZE} accounts`, searchStarted)
  await expect(table.rows).toHaveCount(1)
  await expect(table.shownCount).toHaveText(`1 of ${FLEET_SIZE} shown`)
  // The phone as a person types it: with +, spaces and dashes.
  await table.search.fill('+1 555-100-0123')
  await expect(table.rows).toHaveCount(1)
  await expect(table.rows.first()).toContainText('Fleet 123')
  await table.search.fill('Agent 499')
  await expect(table.rows).toHaveCount(1)
  const id = await table.rows.first().getAttribute('data-account')
  await table.search.fill(id!)
  await expect(table.rows).toHaveCount(1)
  await expect(table.rows.first()).toContainText('Fleet 499')
  await table.search.fill('nobody-matches-this')
  await expect(table.rows).toHaveCount(0)
  await expect(page.getByText('No account matches.')).toBeVisible()
  await table.search.fill('')
  await expect(table.shownCount).toHaveText(`${FLEET_SIZE} shown`)
  // Scrolled to the end, the last rows are drawn.
  await table.table.locator('xpath=..').evaluate(scrollToEnd)
  await expect(table.row('Fleet 499')).toBeVisible()
  await table.table.locator('xpath=..').evaluate(scrollToStart)
})

test('filters by status and sorts by a column both ways', async ({ browserName: _browserName }, testInfo) => {
  const table = new AccountsTablePage(page)
  const filterStarted = Date.now()
  await table.onlyChips('Failed')
  await expect(table.shownCount).toHaveText(`${failedOther} of ${FLEET_SIZE} shown`)
  note(testInfo, `status filter over ${FLEET_SIZE} accounts`, filterStarted)
  await expect(table.rows.first().locator('[data-status]')).toHaveText('Failed')
  await table.onlyChips()
  await table.sortBy('Label')
  await expect(table.columnHeader('Label')).toHaveAttribute('aria-sort', 'descending')
  await expect(table.rows.first()).toContainText('Fleet 499')
  await table.sortBy('Label')
  await expect(table.columnHeader('Label')).toHaveAttribute('aria-sort', 'ascending')
  await expect(table.rows.first()).toContainText('Fleet 000')
  await table.sortBy('Status')
  await expect(table.columnHeader('Status')).toHaveAttribute('aria-sort', 'ascending')
  await expect(table.rows.first().locator('[data-status]')).toHaveText('Connected')
  await table.sortBy('Label')
})

test('stops every connected account at once, with progress, and the table follows', async ({ browserName: _browserName }, testInfo) => {
  const table = new AccountsTablePage(page)
  const connected = expectedCount('connected')
  await table.onlyChips('Connected')
  await expect(table.shownCount).toHaveText(`${connected} of ${FLEET_SIZE} shown`)
  await table.selectAllMatching.check()
  await expect(table.bulkBar).toContainText(`${connected} selected`)
  await new AppShell(page).screenshot('21-accounts-table-selected', testInfo)
  const stopStarted = Date.now()
  await table.bulk('Stop').click()
  // Timed in the page, frame by frame (expect() polls at up to 1 s steps); asserted below as usual.
  const finished = `Stopped ${connected} of ${connected}.`
  await page.waitForFunction(hasText, { selector: '[aria-label="Selected accounts"] .bulk-report [role="status"]', text: finished }, { polling: 'raf', timeout: 60_000 })
  note(testInfo, `bulk stop of ${connected} accounts (accounts:bulk, 4 calls)`, stopStarted)
  await expect(table.bulkStatus).toHaveText(finished)
  // Every stopped account left the "connected" chip; the others kept their statuses.
  await expect(table.shownCount).toHaveText(`0 of ${FLEET_SIZE} shown`)
  await table.onlyChips('Stopped')
  await expect(table.shownCount).toHaveText(`${connected} of ${FLEET_SIZE} shown`)
  await table.onlyChips('Logged out')
  await expect(table.shownCount).toHaveText(`${expectedCount('logged-out')} of ${FLEET_SIZE} shown`)
  await table.onlyChips()
  // The selection went with the action; the report stays until dismissed.
  await expect(table.selectedCount).toHaveText('0 selected')
  await table.bulkBar.getByRole('button', { name: 'Dismiss' }).click()
  await expect(table.bulkBar).toBeHidden()
})

test('renames an account inline and copies its id from its menu', async ({ browserName: _browserName }, testInfo) => {
  const table = new AccountsTablePage(page)
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await table.search.fill('Fleet 010')
  const id = (await table.row('Fleet 010').getAttribute('data-account'))!
  // By id: while the label is being edited, the row's header is the field, not the old label.
  const row = table.rowById(id)
  // Found by its id, the row stays shown whatever its label becomes.
  await table.search.fill(id)
  await row.getByRole('button', { name: 'Rename Fleet 010' }).click()
  const field = row.getByRole('textbox', { name: 'New label for Fleet 010' })
  await expect(field).toBeFocused()
  await field.fill('Front desk')
  await field.press('Enter')
  await expect(row.getByRole('button', { name: 'Rename Front desk' })).toBeFocused()
  await table.search.fill('front DESK')
  await expect(table.rows).toHaveCount(1)
  await expect(row).toBeVisible()
  // An empty label is refused with the reason, and the field stays open until Escape.
  await row.getByRole('button', { name: 'Rename Front desk' }).click()
  await row.getByRole('textbox').fill('   ')
  await row.getByRole('button', { name: 'Save' }).click()
  await expect(row.getByRole('alert')).toHaveText('A label cannot be empty.')
  await row.getByRole('textbox').press('Escape')
  await expect(row.getByRole('rowheader')).toHaveText(/Front desk/)

  await table.rowAction(row, 'Front desk', 'Copy id')
  await expect(table.rowNote).toHaveText('Copied the id of Front desk.')
  expect(await page.evaluate(readClipboard)).toBe(id)
  await table.search.fill('')
  await page.setViewportSize({ width: 390, height: 844 })
  await expect(table.table).toBeVisible()
  await new AppShell(page).screenshot('20-accounts-table-500', testInfo)
  await page.setViewportSize({ width: 1280, height: 800 })
})
