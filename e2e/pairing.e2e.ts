// Pairing from the UI by both methods, side by side in one dialog: scan a QR code, or link with a phone
// number by typing a code on the phone (the simulator plays the phone for both). Screenshots of each
// method at desktop (1280x800) and phone (390x844) sizes go to test-results/screenshots/.

import type { Page } from '@playwright/test'
import { AccountsPage } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { PairingMethods } from './pages/code-pairing'
import { expect, skipWithoutElectron, test } from './support/fixtures'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })

test.afterEach(async ({ app }) => {
  expect(app.takeErrors(), 'console errors on the page').toEqual([])
})

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

/** A screenshot at each size; the page goes back to the desktop size afterwards. */
async function screenshotsAtBothSizes(page: Page, name: string, testInfo: Parameters<AppShell['screenshot']>[1]): Promise<void> {
  const shell = new AppShell(page)
  await page.setViewportSize(DESKTOP)
  await shell.screenshot(name, testInfo)
  await page.setViewportSize(PHONE)
  await shell.screenshot(name, testInfo)
  await page.setViewportSize(DESKTOP)
}

test('offers both methods side by side and pairs by QR code', async ({ app }, testInfo) => {
  const accounts = new AccountsPage(app.page)
  await new AppShell(app.page).openAccounts()
  const dialog = await accounts.add('Pairing by QR')
  const methods = new PairingMethods(dialog)
  await expect(methods.qrTab).toHaveAttribute('aria-selected', 'true')
  await expect(methods.codeTab).toHaveAttribute('aria-selected', 'false')
  await expect(dialog.status).toHaveText('Waiting for a scan')
  // Measured once the QR code shows: the dialog is centred, so it moves while its content arrives, and
  // two boxes read one after the other during that move would not share a row.
  await expect(dialog.qrImage).toBeVisible()
  const [qrBox, codeBox] = [await methods.qrTab.boundingBox(), await methods.codeTab.boundingBox()]
  // Side by side: one row, the QR method first.
  expect(qrBox && codeBox && Math.abs(qrBox.y - codeBox.y) < 2 && qrBox.x < codeBox.x).toBe(true)
  await screenshotsAtBothSizes(app.page, 'pairing-method-qr', testInfo)

  await dialog.simulateScan()
  await expect(dialog.status).toHaveText(/^Connected as \+\d+/)
  await expect(methods.tabs).toBeHidden()
  await dialog.done()
  await accounts.card('Pairing by QR').expectStatus('Connected')
})

test('pairs by code: the code large with copy, countdown and menu path, a new code, then the simulated phone', async ({ app }, testInfo) => {
  const accounts = new AccountsPage(app.page)
  const dialog = await accounts.add('Pairing by code')
  const panel = await new PairingMethods(dialog).chooseCode()
  await expect(dialog.status).toHaveText('Enter the phone number to get a code')
  await expect(dialog.qrImage).toBeHidden()

  await panel.phone.fill('0176 123')
  await panel.button('Get code').click()
  await expect(panel.error).toHaveText(/international format/)
  // The refused request is the only console error the page reports.
  expect(app.takeErrors()).toEqual([expect.stringMatching(/status of 400/)])

  const first = await panel.getCode('+49 176 9000-0001')
  await expect(dialog.status).toHaveText('Waiting for the code on the phone')
  await expect(panel.countdown).toHaveText(/^Expires in \d:\d\d$/)
  await expect(dialog.root.getByText('Go to Settings → Linked devices → Link a device.')).toBeVisible()
  await expect(dialog.root.getByText('Tap “Link with phone number instead” and type this code.')).toBeVisible()
  await expect(dialog.root.getByText('Open WhatsApp on the phone with the number +4917690000001.')).toBeVisible()
  await expect(panel.code).toHaveCSS('font-family', /mono/i)
  await screenshotsAtBothSizes(app.page, 'pairing-method-code', testInfo)

  const second = await panel.getCode('+49 176 9000-0001', 'New code')
  expect(second).not.toBe(first)

  await panel.button('Simulate entering the code').click()
  await expect(dialog.status).toHaveText('Connected as +4917690000001.')
  await expect(panel.code).toBeHidden()
  await screenshotsAtBothSizes(app.page, 'pairing-method-code-connected', testInfo)
  await dialog.done()
  await accounts.card('Pairing by code').expectStatus('Connected')
  expect(await accounts.card('Pairing by code').phone()).toBe('+4917690000001')
})
