// Keyboard use and small screens: dialogs take and give back focus and close on Escape, and every view
// fits 800x600 without sideways scrolling. Runs after accounts.e2e.ts, on the account it left.

import { AccountsPage } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { expect, skipWithoutElectron, test } from './support/fixtures'
import { containsFocus, fitsWidth, outlineStyle } from './support/in-page'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })

test.afterEach(async ({ app }) => {
  expect(app.takeErrors(), 'console errors on the page').toEqual([])
})

test('the add dialog works from the keyboard: focus inside, Escape closes, focus returns', async ({ app }) => {
  const page = app.page
  const accounts = new AccountsPage(page)
  await new AppShell(page).openAccounts()
  await accounts.addButton.focus()
  await page.keyboard.press('Enter')
  const dialog = page.getByRole('dialog', { name: 'Add an account' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByLabel('Label (optional)')).toBeFocused()
  // Tab stays inside the modal dialog.
  for (let i = 0; i < 6; i++) {
    await page.keyboard.press('Tab')
    expect(await dialog.evaluate(containsFocus)).toBe(true)
  }
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(accounts.addButton).toBeFocused()
})

test('every action on a card is a real, focusable button with a visible focus ring', async ({ app }) => {
  const page = app.page
  const card = new AccountsPage(page).card('Alpha phone')
  const details = card.button('Details for')
  await details.focus()
  await expect(details).toBeFocused()
  const outline = await details.evaluate(outlineStyle)
  // :focus-visible after a programmatic focus following keyboard use draws the ring.
  await page.keyboard.press('Shift+Tab')
  await page.keyboard.press('Tab')
  const ring = await details.evaluate(outlineStyle)
  expect([outline, ring]).toContain('solid')
  await page.keyboard.press('Enter')
  await expect(page.locator('#main-heading')).toHaveText('Alpha phone')
  await expect(page.locator('#main-heading')).toBeFocused()
  await page.getByRole('button', { name: 'All accounts' }).click()
})

for (const size of [
  { width: 800, height: 600 },
  { width: 1280, height: 800 },
]) {
  test(`fits ${size.width}x${size.height} without sideways scrolling`, async ({ app }, testInfo) => {
    const page = app.page
    const shell = new AppShell(page)
    await page.setViewportSize(size)
    const fits = () => page.evaluate(fitsWidth)

    await shell.openAccounts()
    await expect(new AccountsPage(page).card('Alpha phone').status).toHaveText('Connected')
    expect(await fits()).toBe(true)
    await shell.screenshot('10-accounts', testInfo)

    await new AccountsPage(page).card('Alpha phone').button('Details for').click()
    await expect(page.getByRole('heading', { name: 'Received messages' })).toBeVisible()
    expect(await fits()).toBe(true)
    await shell.screenshot('11-account-detail', testInfo)

    await shell.openTelemetry()
    await expect(page.getByRole('figure', { name: /^Operations per second/ })).toBeVisible()
    expect(await fits()).toBe(true)
    await shell.screenshot('12-telemetry', testInfo)

    await shell.openAccounts()
    await page.getByRole('button', { name: 'Add account', exact: true }).click()
    const dialog = page.getByRole('dialog', { name: 'Add an account' })
    await expect(dialog).toBeVisible()
    await shell.screenshot('13-add-dialog', testInfo)
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await expect(dialog).toBeHidden()
  })
}
