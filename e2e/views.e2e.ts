// Every view by its address, and what the operator's console adds around them: Back and
// Forward between views, a link opened in a new tab that lands on its view after sign-in, the
// account's activity log with who asked, the settings view, sending that tells the truth, a toast
// when an account ends logged out, then a gallery: every view and dialog at 1280x800 and 390x844
// (test-results/screenshots/) in light and dark, each view and dialog checked with axe in both.

import type { Page } from '@playwright/test'
import { AccountDetailPage } from './pages/account-detail-page'
import { AccountsPage, ConfirmDialog } from './pages/accounts-page'
import { AccountsTablePage } from './pages/accounts-table-page'
import { AppShell } from './pages/app-shell'
import { SignInPage } from './pages/sign-in-page'
import { WebhooksPage } from './pages/webhooks-page'
import { expectNoSeriousViolations } from './support/axe'
import { expect, server, skipWithoutElectron, test, watchErrors } from './support/fixtures'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })

const ALPHA = 'Views alpha'
const BRAVO = 'Views bravo'
/** Console errors a test expects (a refused command's HTTP status), cleared after each test. */
let expectedErrors: RegExp[] = []
/** Every refused request since the last check, so an unexpected console error names its command. */
let refused: string[] = []
let watching = false

test.beforeEach(({ app }) => {
  if (watching) return
  watching = true
  app.page.on('response', (response) => {
    if (response.status() >= 400) refused.push(`${response.status()} ${new URL(response.url()).pathname}`)
  })
})

test.afterEach(async ({ app }) => {
  const errors = app.takeErrors().filter((e) => !expectedErrors.some((allowed) => allowed.test(e)))
  expectedErrors = []
  const requests = refused
  refused = []
  expect(errors, `console errors on the page (refused requests: ${requests.join(', ') || 'none'})`).toEqual([])
})

async function heading(page: Page): Promise<string> {
  return (await page.locator('#main-heading').textContent()) ?? ''
}

test('pairs two accounts for the views', async ({ app }) => {
  const accounts = new AccountsPage(app.page)
  await new AppShell(app.page).openAccounts()
  for (const label of [ALPHA, BRAVO]) {
    const dialog = await accounts.add(label)
    await expect(dialog.qrImage).toBeVisible()
    await dialog.simulateScan()
    await expect(dialog.status).toHaveText(/^Connected/)
    await dialog.done()
  }
})

test('every view has an address; Back and Forward move between views', async ({ app }) => {
  const page = app.page
  const shell = new AppShell(page)
  await shell.openSettings()
  expect(new URL(page.url()).hash).toBe('#/settings')
  await shell.openAccounts()
  expect(new URL(page.url()).hash).toBe('#/accounts')
  await new AccountsTablePage(page).showAsTable()
  await page.getByRole('link', { name: ALPHA, exact: true }).click()
  await new AccountDetailPage(page, ALPHA).expectOpen()
  expect(new URL(page.url()).hash).toMatch(/^#\/accounts\/acc-[0-9a-f]+$/)
  await page.getByRole('button', { name: 'Telemetry for this account' }).click()
  await expect(page.locator('#main-heading')).toHaveText(/Telemetry/)
  expect(new URL(page.url()).hash).toMatch(/^#\/telemetry\/acc-[0-9a-f]+$/)

  await page.goBack()
  await new AccountDetailPage(page, ALPHA).expectOpen()
  await page.goBack()
  await expect(page.locator('#main-heading')).toHaveText('Accounts')
  await page.goBack()
  await expect(page.locator('#main-heading')).toHaveText('Settings')
  await page.goForward()
  await expect(page.locator('#main-heading')).toHaveText('Accounts')
  await page.goForward()
  await new AccountDetailPage(page, ALPHA).expectOpen()
  // Nothing above left the app: the page never reloaded into sign-in.
  expect(await heading(page)).toBe(ALPHA)
})

test('a link opened in a new tab lands on its view after sign-in', async ({ app, browser }) => {
  const link = app.page.url()
  expect(link).toMatch(/#\/accounts\/acc-/)
  const context = await browser.newContext()
  const page = await context.newPage()
  const takeErrors = watchErrors(page)
  await page.goto(link)
  const signIn = new SignInPage(page)
  await expect(signIn.heading).toBeVisible()
  await signIn.signIn(server().token)
  await new AccountDetailPage(page, ALPHA).expectOpen()
  expect(page.url()).toBe(link)
  expect(takeErrors()).toEqual([])
  await context.close()
})

test("the account's view shows its activity, with who asked", async ({ app }) => {
  const page = app.page
  const detail = new AccountDetailPage(page, ALPHA)
  await detail.expectOpen()
  const activity = page.getByRole('table', { name: `What happened to ${ALPHA}, newest first` })
  await expect(activity.getByRole('row').filter({ hasText: 'Paired as +' })).toHaveCount(1)
  await page.getByRole('button', { name: `Stop ${ALPHA}`, exact: true }).click()
  const stopRow = activity.getByRole('row').filter({ hasText: 'Stop: done' })
  await expect(stopRow).toHaveCount(1)
  await expect(stopRow.getByRole('cell').last()).toHaveText('UI')
  await expect(activity.getByRole('row').nth(1)).toContainText(/Stop: done|Stopped/)
  await page.getByRole('button', { name: `Start ${ALPHA}`, exact: true }).click()
  await expect(page.getByRole('article', { name: ALPHA }).locator('[data-status]')).toHaveText('Connected')
})

test('sending says so when a number is not on WhatsApp, and takes a number written loosely', async ({ app }) => {
  const page = app.page
  const detail = new AccountDetailPage(page, ALPHA)
  const to = detail.sendForm.getByLabel('To (phone number)')
  await detail.sendForm.getByRole('button', { name: 'Send message' }).click()
  await expect(detail.sendForm.getByRole('alert').first()).toContainText('international format')
  await expect(to).toHaveAttribute('aria-invalid', 'true')
  await expect(to).toBeFocused()

  expectedErrors = [/status of 404/]
  await to.fill('+1 (555) 999-0000')
  await detail.sendForm.getByLabel('Message').fill('anyone there?')
  await detail.sendForm.getByRole('button', { name: 'Send message' }).click()
  await expect(detail.sendForm.getByRole('alert')).toHaveText('+15559990000 is not on WhatsApp, so nothing was sent. Check the number.')
  await expect(detail.sendForm.getByRole('status')).toHaveText('')

  await page.getByRole('button', { name: 'All accounts' }).click()
  const bravoPhone = await new AccountsTablePage(page).row(BRAVO).locator('[data-field="phone"]').textContent()
  await page.goBack()
  const digits = bravoPhone!.replace(/\D/g, '')
  const loose = `+${digits.slice(0, 1)} ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}`
  await detail.send(loose, 'hello, loosely written')
})

test('the settings view reads and saves what settings:* holds', async ({ app }) => {
  const page = app.page
  await new AppShell(page).openSettings()
  const autoStart = page.getByRole('checkbox', { name: 'Start the accounts that were running when the app last stopped' })
  await expect(autoStart).toBeChecked()
  await expect(page.getByRole('main').getByRole('note')).toContainText('This server was started with its own endpoint')
  await autoStart.uncheck()
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('checkbox', { name: 'Start the accounts that were running when the app last stopped' })).not.toBeChecked()
  await page.getByRole('checkbox', { name: 'Start the accounts that were running when the app last stopped' }).check()
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
  // A bad endpoint is refused in words, not schema paths.
  expectedErrors = [/status of 400/]
  await page.getByLabel('Endpoint URL').fill('not a url')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByRole('alert')).toHaveText(/^Endpoint URL: /)
  await page.getByLabel('Endpoint URL').fill('')
})

test('a toast says when an account ends logged out', async ({ app }) => {
  const page = app.page
  await new AppShell(page).openAccounts()
  const table = new AccountsTablePage(page)
  await table.showAsTable()
  await table.row(BRAVO).getByRole('checkbox', { name: `Select ${BRAVO}` }).check()
  await table.bulk('Log out…').click()
  await new ConfirmDialog(page, 'Log out 1 account?').confirm('Log out')
  await expect(table.bulkStatus).toHaveText('Logged out 1 of 1.')
  const toast = page.getByRole('region', { name: 'Notifications' }).getByRole('alert')
  await expect(toast).toContainText(`${BRAVO}: logged out`)
  await toast.getByRole('button', { name: 'Dismiss' }).click()
  await expect(toast).toHaveCount(0)
  // The selection went with the action.
  await expect(table.selectedCount).toHaveText('0 selected')
  await table.bulkBar.getByRole('button', { name: 'Dismiss' }).click()
})

for (const size of [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
]) {
  for (const theme of ['light', 'dark'] as const) {
    test(`gallery at ${size.width}x${size.height}, ${theme}: every view and dialog, each checked with axe`, async ({ app }, testInfo) => {
      test.setTimeout(180_000)
      const page = app.page
      const shell = new AppShell(page)
      // The theme as a system set to it shows it (the switch is left on System, the default).
      await page.emulateMedia({ colorScheme: theme })
      await page.setViewportSize(size)
      const suffix = theme === 'dark' ? '-dark' : ''
      const shot = async (name: string, what: string): Promise<void> => {
        await shell.screenshot(`${name}${suffix}`, testInfo)
        await expectNoSeriousViolations(page, `${what}, ${theme}, ${size.width}x${size.height}`)
      }
      await shell.openAccounts()
      const table = new AccountsTablePage(page)

      await page.getByRole('group', { name: 'Show accounts as' }).getByRole('button', { name: 'Cards' }).click()
      await expect(page.getByRole('article', { name: ALPHA })).toBeVisible()
      await shot('30-view-accounts-cards', 'the accounts cards')
      await page.getByRole('button', { name: `Remove ${ALPHA}`, exact: true }).click()
      await shot('31-dialog-remove', 'the remove dialog')
      await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click()
      await page.getByRole('button', { name: `Export ${ALPHA}`, exact: true }).click()
      await shot('32-dialog-export', 'the export dialog')
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
      await new AccountsPage(page).importButton.click()
      await shot('33-dialog-import', 'the import dialog')
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
      await new AccountsPage(page).addButton.click()
      await shot('34-dialog-add', 'the add dialog')
      await page.keyboard.press('Escape')

      await table.showAsTable()
      await shot('35-view-accounts-table', 'the accounts table')
      await table.row(ALPHA).getByRole('checkbox').check()
      await table.bulk('Export…').click()
      await shot('36-dialog-bulk-export', 'the bulk export dialog')
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click()
      await table.bulk('Log out…').click()
      await shot('37-dialog-bulk-logout', 'the bulk log out dialog')
      await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click()
      await table.bulk('Clear selection').click()

      // The account that received a text earlier: its messages, which dark once drew white on white.
      await page.getByRole('link', { name: BRAVO, exact: true }).click()
      const bravo = new AccountDetailPage(page, BRAVO)
      await bravo.expectOpen()
      await expect(bravo.messages).toContainText('hello, loosely written')
      await shot('38-view-account-messages', 'the account view with messages')
      await page.getByRole('button', { name: 'All accounts' }).click()

      await page.getByRole('link', { name: ALPHA, exact: true }).click()
      await new AccountDetailPage(page, ALPHA).expectOpen()
      await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible()
      await shot('38-view-account', 'the account view')

      await shell.openSettings()
      await shot('39-view-settings', 'the settings view')

      await shell.openTelemetry()
      await shot('40-view-telemetry', 'the telemetry view')

      await new WebhooksPage(page).open()
      await shot('41-view-webhooks', 'the webhooks view')

      // One server: the fleet view says what a fleet is (e2e/fleet-servers.e2e.ts shows one).
      await shell.openFleet()
      await shot('42-view-fleet', 'the fleet view')

      await page.emulateMedia({ colorScheme: 'light' })
      await page.setViewportSize({ width: 1280, height: 800 })
    })
  }
}
