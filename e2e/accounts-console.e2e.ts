// The console an operator of 500 accounts works in (the accounts table), on the 500-account test server
// (e2e/support/fleet-server.ts): status chips that combine, QR expired apart from refused by WhatsApp,
// the Needs attention preset, a Shift-click range of 50, select all matching, the guard on a selection
// the view hides, bulk Restart, the warnings of a bulk Start, pairing logged-out accounts one by one,
// row menus, tags, saved views in the address, columns, CSV export, the keyboard and compact rows on a
// phone; the guard's and the bulk Start's dialogs screenshotted and checked with axe in both themes.
// Speeds are recorded for the closing note ([console timing] lines), never asserted.

import { readFileSync } from 'node:fs'
import type { Page, TestInfo } from '@playwright/test'
import { createApiClient } from '../src/shared/api-client'
import type { CommandName } from '../src/shared/channels'
import type { CommandInput, CommandOutput } from '../src/shared/contract'
import { AccountsTablePage } from './pages/accounts-table-page'
import { AppShell } from './pages/app-shell'
import { expectNoSeriousViolations } from './support/axe'
import { countWhere, expectedCount, FLEET_SIZE, fleetLabel, startFleetServer, type FleetServer } from './support/fleet'
import { expect, test, watchErrors } from './support/fixtures'
import { fitsWidth, hasText } from './support/in-page'

test.describe.configure({ mode: 'serial' })
test.skip(({ target }) => target === 'electron', 'The 500-account server is headless: the web project covers it.')

let fleet: FleetServer
let page: Page
let table: AccountsTablePage
let takeErrors: () => string[]

test.beforeAll(async ({ browser }) => {
  test.setTimeout(180_000)
  fleet = await startFleetServer()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, acceptDownloads: true })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  page = await context.newPage()
  takeErrors = watchErrors(page)
  await page.goto(`${fleet.url}/#token=${fleet.token}`)
  table = new AccountsTablePage(page)
  await expect(table.table).toBeVisible()
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live')
  await fleet.inject()
  await expect(table.chip('Connected')).toHaveText(`Connected ${expectedCount('connected')}`)
})

// The notices of failures (the injected ones, and accounts started against a dead endpoint failing
// later) are not what these tests look at, and would cover the rows' menus at the bottom right.
test.beforeEach(async () => {
  // A toast leaves only when dismissed, so one counted is there to click.
  const notices = page.getByRole('region', { name: 'Notifications' }).getByRole('alert')
  while ((await notices.count()) > 0) await notices.first().getByRole('button', { name: 'Dismiss' }).click()
})

test.afterAll(async () => {
  await page?.context().close()
  await fleet?.stop()
})

test.afterEach(() => {
  expect(takeErrors(), 'console errors on the page').toEqual([])
})

const CONNECTED = expectedCount('connected')
const QR_EXPIRED = countWhere((x) => x.status === 'failed' && !x.paired)
const REFUSED = countWhere((x) => x.lastDisconnectCode === 403)
const FAILED = countWhere((x) => x.status === 'failed' && x.paired && x.lastDisconnectCode !== 403)
const WITH_CONDITION = countWhere((x) => x.condition !== null)
const TROUBLE = countWhere((x) => ['reconnecting', 'logged-out', 'replaced', 'failed'].includes(x.status))

function api<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  return createApiClient({ baseUrl: fleet.url, token: fleet.token }).call(command, input)
}

/** Records a figure for the closing note (never asserted: speed belongs in benchmarks, not in tests). */
function note(testInfo: TestInfo, what: string, startedAt: number): void {
  const description = `${what}: ${Date.now() - startedAt} ms, Playwright's round trips included`
  testInfo.annotations.push({ type: 'timing', description })
  console.log(`[console timing] ${description}`)
}

/** Waits, frame by frame, until the bar's report reads `text` (a figure for the note, taken to the frame). */
async function reportReads(text: string): Promise<void> {
  await page.waitForFunction(hasText, { selector: '[aria-label="Selected accounts"] .bulk-report [role="status"]', text }, { polling: 'raf', timeout: 60_000 })
}

/**
 * A reload reads the accounts from the server, where the injected statuses never were (they are events
 * only): injected again, the table is as the tests expect it.
 */
async function reloadAndInject(): Promise<void> {
  await page.reload()
  await expect(table.table).toBeVisible()
  // Injected before the event stream is open, the statuses would never reach this page.
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live')
  await fleet.inject()
  await expect(table.chip('Logged out')).toHaveText(`Logged out ${expectedCount('logged-out')}`)
}

/** A screenshot and axe in light, then in dark (as a system set to dark shows it), then light again. */
async function inBothThemes(name: string, what: string, testInfo: TestInfo): Promise<void> {
  const shell = new AppShell(page)
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme })
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
    await shell.screenshot(theme === 'dark' ? `${name}-dark` : name, testInfo)
    await expectNoSeriousViolations(page, `${what}, ${theme}`)
  }
  await page.emulateMedia({ colorScheme: 'light' })
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light')
}

async function dismissReport(): Promise<void> {
  await table.bulkBar.getByRole('button', { name: 'Dismiss' }).click()
  await expect(table.bulkBar).toBeHidden()
}

test('status chips combine several statuses, count them, hide the empty ones, and tell a QR that expired from a refusal', async () => {
  await expect(table.chip('QR expired')).toHaveText(`QR expired ${QR_EXPIRED}`)
  await expect(table.chip('Refused by WhatsApp')).toHaveText(`Refused by WhatsApp ${REFUSED}`)
  await expect(table.chip('Failed')).toHaveText(`Failed ${FAILED}`)
  // Nobody is stopped, moved or new: no chip for them.
  for (const empty of ['Stopped', 'Moved', 'New']) await expect(table.chip(empty)).toHaveCount(0)
  await table.onlyChips('Logged out', 'Replaced')
  await expect(table.shownCount).toHaveText(`${expectedCount('logged-out') + expectedCount('replaced')} of ${FLEET_SIZE} shown`)
  await expect(table.chip('Logged out')).toHaveAttribute('aria-pressed', 'true')
  await expect(table.chip('Replaced')).toHaveAttribute('aria-pressed', 'true')
  expect(new URL(page.url()).hash).toBe('#/accounts?status=logged-out%2Creplaced')
  await table.onlyChips('QR expired')
  await expect(table.rows.first().locator('[data-status]')).toHaveText('QR expired')
  await table.onlyChips('Refused by WhatsApp')
  await expect(table.rows.first().locator('[data-status]')).toHaveText('Refused by WhatsApp')
  await table.onlyChips()
  await expect(table.shownCount).toHaveText(`${FLEET_SIZE} shown`)
})

test('the Needs attention preset: not connected, with a condition (or failing webhooks)', async ({ browserName: _b }, testInfo) => {
  const started = Date.now()
  await table.chooseView('Needs attention')
  await expect(table.shownCount).toHaveText(`${TROUBLE + WITH_CONDITION} of ${FLEET_SIZE} shown`)
  note(testInfo, `the Needs attention preset over ${FLEET_SIZE} accounts`, started)
  expect(new URL(page.url()).hash).toBe('#/accounts?attention=1')
  await expect(page.getByRole('note').filter({ hasText: 'Needs attention:' })).toBeVisible()
  // The connected account with a condition is in, and says what is wrong.
  await table.search.fill(fleetLabel(29))
  await expect(table.row(fleetLabel(29)).locator('[data-field="condition"]')).toHaveText('Messages fail to decrypt')
  await table.search.fill('')
  await expectNoSeriousViolations(page, 'the Needs attention view')
  await new AppShell(page).screenshot('50-accounts-needs-attention', testInfo)
  await table.chooseView('All accounts')
  await expect(table.shownCount).toHaveText(`${FLEET_SIZE} shown`)
  expect(new URL(page.url()).hash).toBe('#/accounts')
})

test('a range of 50 with Shift-click, then select all matching across the view', async ({ browserName: _b }, testInfo) => {
  await table.onlyChips('Connected')
  const started = Date.now()
  await table.row(fleetLabel(0)).getByRole('checkbox').click()
  // The 50th connected account from the first one, drawn once the window scrolls to it.
  await table.scrollToIndex(49)
  const fiftieth = page.locator(`.accounts-table tbody tr[data-index="49"]`)
  await fiftieth.getByRole('checkbox').click({ modifiers: ['Shift'] })
  await expect(table.selectedCount).toHaveText('50 selected')
  note(testInfo, 'a Shift-click range of 50 among 425 shown', started)
  await new AppShell(page).screenshot('51-accounts-range-selected', testInfo)

  const allStarted = Date.now()
  await table.bulkBar.getByRole('button', { name: `Select all ${CONNECTED} matching` }).click()
  await expect(table.selectedCount).toHaveText(`${CONNECTED} selected`)
  note(testInfo, `select all ${CONNECTED} matching`, allStarted)
  await expect(table.selectAllMatching).toBeChecked()
  await table.selectAllMatching.uncheck()
  await expect(table.bulkBar).toBeHidden()
})

test('a selection the view hides is counted, and an action asks before it touches a row nobody sees', async ({ browserName: _b }, testInfo) => {
  await table.onlyChips('Connected')
  await table.selectAllMatching.check()
  await expect(table.selectedCount).toHaveText(`${CONNECTED} selected`)
  const started = Date.now()
  await table.search.fill('Fleet 04')
  const visible = 10
  await expect(table.shownCount).toHaveText(`${visible} of ${FLEET_SIZE} shown`)
  await expect(table.selectedCount).toHaveText(`${CONNECTED} selected, ${CONNECTED - visible} hidden by this view`)
  note(testInfo, `the hidden-selection count after a search over ${CONNECTED} selected`, started)
  await inBothThemes('52-accounts-hidden-selection', 'the hidden-selection count', testInfo)

  // Asked; Cancel does nothing.
  await table.bulk('Stop').click()
  const ask = page.getByRole('alertdialog', { name: `${CONNECTED - visible} selected accounts are hidden` })
  await expect(ask).toContainText(`Stop only the ${visible} accounts you can see, or all ${CONNECTED}?`)
  await expect(ask.getByRole('button', { name: `Stop the ${visible} shown` })).toBeFocused()
  await inBothThemes('53-dialog-hidden-selection', 'the hidden-selection question', testInfo)
  await ask.getByRole('button', { name: 'Cancel' }).click()
  await expect(ask).toBeHidden()
  await expect(table.chip('Connected')).toHaveText(`Connected ${CONNECTED}`)

  // Only the shown ones: the hidden ones keep running, and the selection goes once it is done.
  await table.bulk('Stop').click()
  await ask.getByRole('button', { name: `Stop the ${visible} shown` }).click()
  await reportReads(`Stopped ${visible} of ${visible}.`)
  await expect(table.selectedCount).toHaveText('0 selected')
  await table.search.fill('')
  await table.onlyChips()
  await expect(table.chip('Stopped')).toHaveText(`Stopped ${visible}`)
  await expect(table.chip('Connected')).toHaveText(`Connected ${CONNECTED - visible}`)
  await dismissReport()
})

test('bulk Start warns on replaced accounts and pairs logged-out ones again one by one, never as unwatched QR codes', async ({ browserName: _b }, testInfo) => {
  const replaced = expectedCount('replaced')
  const loggedOut = expectedCount('logged-out')
  await table.onlyChips('Replaced', 'Logged out')
  await table.selectAllMatching.check()
  await table.bulk('Start').click()
  const warning = page.getByRole('alertdialog', { name: `Start ${replaced + loggedOut} accounts?` })
  await expect(warning.getByRole('note', { name: 'Replaced accounts' })).toContainText(`${replaced} accounts were replaced`)
  await expect(warning.getByRole('note', { name: 'Logged-out accounts' })).toContainText(`${loggedOut} accounts are logged out and left out`)
  // Replaced ones are left out unless the operator says the other copies are gone; logged-out ones always.
  await expect(warning.getByRole('button', { name: 'Start 0 accounts' })).toBeDisabled()
  await expect(warning.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await warning.getByRole('checkbox', { name: /The other copies are gone/ }).check()
  await expect(warning.getByRole('button', { name: `Start ${replaced} accounts` })).toBeEnabled()
  await warning.getByRole('checkbox', { name: /The other copies are gone/ }).uncheck()
  await inBothThemes('54-dialog-bulk-start-warning', 'the bulk Start warning', testInfo)

  await warning.getByRole('button', { name: 'Pair them again one by one…' }).click()
  const first = page.getByRole('dialog', { name: `Pair ${fleetLabel(3)} again (1 of ${loggedOut})` })
  await expect(first).toContainText('+15551000003')
  await expect(first.getByRole('button', { name: 'Start pairing' })).toBeFocused()
  await inBothThemes('55-dialog-repair-one-by-one', 'pairing again one by one', testInfo)
  await first.getByRole('button', { name: 'Skip this one' }).click()
  const second = page.getByRole('dialog', { name: `Pair ${fleetLabel(28)} again (2 of ${loggedOut})` })
  await expect(second).toBeVisible()
  await second.getByRole('button', { name: 'Stop here' }).click()
  await expect(second).toBeHidden()
  // Nothing was started by any of that, and the selection is still there for another try.
  await expect(table.chip('Logged out')).toHaveText(`Logged out ${loggedOut}`)
  await expect(table.chip('Replaced')).toHaveText(`Replaced ${replaced}`)
  await expect(table.selectedCount).toHaveText(`${replaced + loggedOut} selected`)
  await table.bulk('Clear selection').click()
  await table.onlyChips()
})

test('tags: set on many at once, shown in a column, found with tag:, removed one by one', async ({ browserName: _b }, testInfo) => {
  await table.search.fill('Fleet 10')
  await expect(table.shownCount).toHaveText(`10 of ${FLEET_SIZE} shown`)
  await table.selectAllMatching.check()
  await table.bulk('Tags…').click()
  const dialog = page.getByRole('dialog', { name: 'Tags of 10 accounts' })
  const field = dialog.getByRole('textbox', { name: 'Add tags' })
  await expect(field).toBeFocused()
  await field.fill('vip, ' + 'x'.repeat(40))
  await dialog.getByRole('button', { name: 'Save tags on 10' }).click()
  await expect(dialog.getByRole('alert')).toHaveText(/^A tag is at most 32 characters/)
  await field.fill('vip, EU west')
  await new AppShell(page).screenshot('57-dialog-tags', testInfo)
  await dialog.getByRole('button', { name: 'Save tags on 10' }).click()
  await expect(dialog).toBeHidden()
  await expect(table.selectedCount.or(table.bulkBar)).toHaveCount(0)
  await expect(table.row(fleetLabel(100)).locator('[data-field="tags"]')).toHaveText('vipEU west')
  await table.search.fill('tag:vip')
  await expect(table.shownCount).toHaveText(`10 of ${FLEET_SIZE} shown`)
  // One account loses one tag, from its own menu.
  await table.rowAction(table.row(fleetLabel(105)), fleetLabel(105), 'Tags…')
  const one = page.getByRole('dialog', { name: `Tags of ${fleetLabel(105)}` })
  await one.getByRole('checkbox', { name: 'vip' }).check()
  await one.getByRole('button', { name: 'Save tags' }).click()
  await expect(one).toBeHidden()
  await expect(table.shownCount).toHaveText(`9 of ${FLEET_SIZE} shown`)
  await table.search.fill('')
})

test('saved views: a filter, a search and a sort under a name, in the address, back after a reload', async ({ browserName: _b }, testInfo) => {
  await table.onlyChips('Failed', 'QR expired')
  await table.search.fill('Fleet 1')
  await table.sortBy('Since')
  await table.sortBy('Since')
  const expectedHash = '#/accounts?status=qr-expired%2Cfailed&q=Fleet+1&sort=since%3Adesc'
  await expect.poll(() => new URL(page.url()).hash).toBe(expectedHash)
  await expect(table.viewPicker).toHaveValue('')
  await page.getByRole('button', { name: 'Save view…' }).click()
  const save = page.getByRole('dialog', { name: 'Save this view' })
  await save.getByRole('textbox', { name: 'Name' }).fill('needs attention')
  await save.getByRole('button', { name: 'Save view' }).click()
  await expect(save.getByRole('alert')).toHaveText('"needs attention" is a built-in view: choose another name.')
  await save.getByRole('textbox', { name: 'Name' }).fill('Broken 1xx')
  await new AppShell(page).screenshot('58-dialog-save-view', testInfo)
  await save.getByRole('button', { name: 'Save view' }).click()
  await expect(table.viewPicker).toHaveValue('Broken 1xx')

  await table.chooseView('All accounts')
  await expect(table.shownCount).toHaveText(`${FLEET_SIZE} shown`)
  await table.chooseView('Broken 1xx')
  await expect.poll(() => new URL(page.url()).hash).toBe(expectedHash)
  const shown = await table.shownCount.textContent()
  // The address alone brings the view back (a bookmark, a reload, a link sent to someone).
  await reloadAndInject()
  await expect(table.shownCount).toHaveText(shown!)
  await expect.poll(() => new URL(page.url()).hash).toBe(expectedHash)
  await expect(table.search).toHaveValue('Fleet 1')
  await expect(table.columnHeader('Since')).toHaveAttribute('aria-sort', 'descending')
  await expect(table.chip('Failed')).toHaveAttribute('aria-pressed', 'true')
  await page.getByRole('button', { name: 'Delete the saved view Broken 1xx' }).click()
  await expect(table.viewPicker.getByRole('option', { name: 'Broken 1xx' })).toHaveCount(0)
  await table.chooseView('All accounts')
})

test('columns: chosen and ordered, kept across a reload; CSV export of what is shown', async ({ browserName: _b }, testInfo) => {
  await page.getByRole('button', { name: 'Columns…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Columns' })
  await dialog.getByRole('checkbox', { name: /^Name/ }).uncheck()
  await dialog.getByRole('checkbox', { name: /^Store p99/ }).check()
  await dialog.getByRole('checkbox', { name: /^Reconnects/ }).check()
  await dialog.getByRole('button', { name: 'Move Tags up' }).click()
  await dialog.getByRole('button', { name: 'Move Tags up' }).click()
  await new AppShell(page).screenshot('59-dialog-columns', testInfo)
  await dialog.getByRole('button', { name: 'Done' }).click()
  const headers = async (): Promise<string[]> => (await table.table.locator('thead th').allTextContents()).map((t) => t.replace(/[▲▼]/g, '').trim()).filter(Boolean)
  // Tags moved up past Name (unchecked, still in the list) and Phone.
  const expected = ['Label', 'Status', 'Condition', 'Tags', 'Phone', 'Last message', 'Messages 24 h', 'Store p99', 'Queued', 'Limit reached', 'Since', 'Reconnects', 'Actions']
  await expect.poll(headers).toEqual(expected)
  await reloadAndInject()
  await expect.poll(headers).toEqual(expected)

  // An account whose label would open as a formula in a spreadsheet.
  await table.search.fill(fleetLabel(499))
  // By id: while its label is edited, the row's header is the field, not the label.
  const id = (await table.row(fleetLabel(499)).getAttribute('data-account'))!
  const renamed = table.rowById(id)
  // Found by its id, the row stays shown whatever its label becomes.
  await table.search.fill(id)
  await renamed.getByRole('button', { name: `Rename ${fleetLabel(499)}` }).click()
  await renamed.getByRole('textbox').fill('=HYPERLINK("x")')
  await renamed.getByRole('textbox').press('Enter')
  await expect(renamed.getByRole('link', { name: '=HYPERLINK("x")' })).toBeVisible()
  await table.search.fill('Fleet 2')
  await expect(table.shownCount).toHaveText(`100 of ${FLEET_SIZE} shown`)
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(/^accounts-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.csv$/)
  const lines = readFileSync((await download.path())!, 'utf8').trimEnd().split('\r\n')
  expect(lines[0]).toBe('Label,Status,Condition,Tags,Phone,Last message,Messages 24 h,Store p99,Queued,Limit reached,Since,Reconnects')
  expect(lines).toHaveLength(101)
  expect(lines[1]).toMatch(/^Fleet 200,/)
  await table.search.fill('HYPERLINK')
  const [formula] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(readFileSync((await formula.path())!, 'utf8').split('\r\n')[1]).toMatch(/^"'=HYPERLINK\(""x""\)",/)
  await api('accounts:rename', { id, label: fleetLabel(499) })
  await table.search.fill('')
})

test('the keyboard: / to the search, arrow keys between rows, the skip link, and the heading after opening a row', async () => {
  await page.locator('#main-heading').click()
  await page.keyboard.press('/')
  await expect(table.search).toBeFocused()
  await table.search.press('Escape')
  // The whole fleet first: the last test's search was cleared, and a row of its filtered view, focused
  // before the list redraws, would leave the page (focus falls to the body) when it does.
  await expect(table.shownCount).toHaveText(`${FLEET_SIZE} shown`)
  const firstLink = table.rows.first().locator('.col-label a')
  await expect(firstLink).toHaveText(fleetLabel(0))
  await firstLink.focus()
  await page.keyboard.press('ArrowDown')
  await expect(table.rows.nth(1).locator('.col-label a')).toBeFocused()
  await page.keyboard.press('End')
  await expect(page.locator(`.accounts-table tbody tr[data-index="${FLEET_SIZE - 1}"] .col-label a`)).toBeFocused()
  await page.keyboard.press('Home')
  await expect(firstLink).toBeFocused()

  await page.keyboard.press('Enter')
  await expect(page.locator('#main-heading')).toHaveText(fleetLabel(0))
  await expect(page.locator('#main-heading')).toBeFocused()
  await page.goBack()
  await expect(page.locator('#main-heading')).toHaveText('Accounts')
  await expect(page.locator('#main-heading')).toBeFocused()

  // From the top of the page, the first Tab stop skips the navigation.
  await reloadAndInject()
  await page.locator('body').focus()
  await page.keyboard.press('Tab')
  const skip = page.getByRole('link', { name: 'Skip to the content' })
  await expect(skip).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.locator('#main-heading')).toBeFocused()
})

test('on a phone, compact rows: label, phone, status and menu, nothing off screen', async ({ browserName: _b }, testInfo) => {
  await page.setViewportSize({ width: 390, height: 844 })
  const row = table.row(fleetLabel(0))
  await expect(row.locator('[data-field="phone"]')).toHaveText('+15551000000')
  await expect(row.locator('[data-status]')).toBeVisible()
  await expect(row.getByRole('button', { name: `Actions for ${fleetLabel(0)}` })).toBeInViewport()
  expect(await table.table.locator('thead th').count()).toBe(4)
  expect(await page.evaluate(fitsWidth)).toBe(true)
  await new AppShell(page).screenshot('60-accounts-compact', testInfo)
  await page.setViewportSize({ width: 1280, height: 800 })
})

test('export from a row defaults to Copy; Move is chosen on purpose and says it stops the account here', async ({ browserName: _b }, testInfo) => {
  await table.search.fill(fleetLabel(2))
  await table.rowAction(table.row(fleetLabel(2)), fleetLabel(2), 'Export…')
  const dialog = page.getByRole('dialog', { name: `Export ${fleetLabel(2)}` })
  await expect(dialog.getByRole('radio', { name: /^Copy/ })).toBeChecked()
  await expect(dialog.getByRole('radio', { name: /^Move/ })).not.toBeChecked()
  await expect(dialog.getByText(/Stop the account here/)).toBeVisible()
  await new AppShell(page).screenshot('61-dialog-export-copy', testInfo)
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  await table.search.fill('')
})

test("a row's menu: restart one account, and what a logged-out or replaced row offers (last: a start here fails later, against a dead endpoint)", async ({ browserName: _b }, testInfo) => {
  await table.search.fill(fleetLabel(1))
  const row = table.row(fleetLabel(1))
  await row.getByRole('button', { name: `Actions for ${fleetLabel(1)}` }).click()
  const menu = page.getByRole('menu', { name: `Actions for ${fleetLabel(1)}` })
  await expect(menu.getByRole('menuitem').first()).toBeFocused()
  await page.keyboard.press('ArrowDown')
  await expect(menu.getByRole('menuitem').nth(1)).toBeFocused()
  await new AppShell(page).screenshot('56-menu-row-actions', testInfo)
  await menu.getByRole('menuitem', { name: 'Restart', exact: true }).click()
  await expect(table.rowNote).toHaveText(`Restarted ${fleetLabel(1)}.`)

  await table.search.fill(fleetLabel(3))
  await table.row(fleetLabel(3)).getByRole('button', { name: `Actions for ${fleetLabel(3)}` }).click()
  const loggedOutMenu = page.getByRole('menu', { name: `Actions for ${fleetLabel(3)}` })
  await expect(loggedOutMenu.getByRole('menuitem', { name: 'Pair again…' })).toBeVisible()
  await expect(loggedOutMenu.getByRole('menuitem', { name: 'Start' })).toHaveCount(0)
  await page.keyboard.press('Escape')
  await expect(loggedOutMenu).toBeHidden()
  await expect(table.row(fleetLabel(3)).getByRole('button', { name: `Actions for ${fleetLabel(3)}` })).toBeFocused()

  await table.search.fill(fleetLabel(13))
  await table.rowAction(table.row(fleetLabel(13)), fleetLabel(13), 'Start…')
  const warning = page.getByRole('alertdialog', { name: 'Start 1 account?' })
  await expect(warning.getByRole('note', { name: 'Replaced accounts' })).toContainText('1 account was replaced')
  await warning.getByRole('button', { name: 'Cancel' }).click()
  await table.search.fill('')
})

test('bulk Restart of 50 accounts, and the selection clears when it is done (last, as above)', async ({ browserName: _b }, testInfo) => {
  await table.onlyChips('Connected')
  await table.rows.first().getByRole('checkbox').click()
  await table.scrollToIndex(49)
  await page.locator('.accounts-table tbody tr[data-index="49"]').getByRole('checkbox').click({ modifiers: ['Shift'] })
  await expect(table.selectedCount).toHaveText('50 selected')
  const started = Date.now()
  await table.bulk('Restart').click()
  await reportReads('Restarted 50 of 50.')
  note(testInfo, 'bulk Restart of 50 accounts (accounts:bulk restart)', started)
  await expect(table.selectedCount).toHaveText('0 selected')
  await dismissReport()
  await table.onlyChips()
})
