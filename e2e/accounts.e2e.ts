// The operator's main story, in order on one server and one page: an empty start, two accounts paired
// by QR code through the simulator, a text from one to the other, live telemetry for both, a stop and
// a start, a removal after confirming, and a logout with a new pairing. Steps leave screenshots in
// test-results/screenshots/.

import { AccountDetailPage } from './pages/account-detail-page'
import { AccountsPage, ConfirmDialog, PairingDialog } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { TelemetryPage } from './pages/telemetry-page'
import { expect, skipWithoutElectron, test } from './support/fixtures'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })

test.afterEach(async ({ app }) => {
  expect(app.takeErrors(), 'console errors on the page').toEqual([])
})

const ALPHA = 'Alpha phone'
const BRAVO = 'Bravo phone'

test('starts empty, says how to add an account, and flags the simulator', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  await expect(shell.heading).toHaveText('Accounts')
  await expect(accounts.emptyState).toBeVisible()
  await expect(app.page.getByText('Choose Add account and give it a label.')).toBeVisible()
  await expect(shell.simulatorBanner).toHaveText(/Connected to a local WhatsApp simulator, not real WhatsApp\./)
  // The token came in the fragment and is gone from the address bar.
  expect(app.page.url()).not.toContain('token')
  await shell.screenshot('01-accounts-empty', testInfo)
})

test('adds an account: QR code, simulated scan, connected', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  const dialog = await accounts.add(ALPHA)
  await expect(dialog.status).toHaveText('Waiting for a scan')
  await expect(dialog.qrImage).toBeVisible()
  await expect(dialog.qrImage).toHaveAttribute('src', /^data:image\/png;base64,/)
  await expect(dialog.countdown).toHaveText(/Expires in \d:\d\d/)
  await shell.screenshot('02-pairing-qr', testInfo)

  await dialog.simulateScan()
  await expect(dialog.status).toHaveText(/^Connected as \+\d+/)
  await expect(dialog.qrImage).toBeHidden()
  await shell.screenshot('03-pairing-connected', testInfo)
  await dialog.done()

  const card = accounts.card(ALPHA)
  await card.expectStatus('Connected')
  await card.phone()
})

test('adds a second account', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  const dialog = await accounts.add(BRAVO)
  await expect(dialog.qrImage).toBeVisible()
  await dialog.simulateScan()
  await expect(dialog.status).toHaveText(/^Connected/)
  await dialog.done()

  await accounts.card(BRAVO).expectStatus('Connected')
  await accounts.card(ALPHA).expectStatus('Connected')
  await expect(app.page.getByText('2 accounts, 2 connected')).toBeVisible()
  await shell.screenshot('04-accounts-two-connected', testInfo)
})

test('sends a text from one account and sees it arrive on the other', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  const bravoPhone = await accounts.card(BRAVO).phone()
  const alphaPhone = await accounts.card(ALPHA).phone()
  const text = `Hello Bravo, this is Alpha (${testInfo.testId.slice(0, 6)})`

  await accounts.card(ALPHA).button('Details for').click()
  const alpha = new AccountDetailPage(app.page, ALPHA)
  await alpha.expectOpen()
  await alpha.send(bravoPhone, text)
  await alpha.back.click()

  await accounts.card(BRAVO).button('Details for').click()
  const bravo = new AccountDetailPage(app.page, BRAVO)
  await bravo.expectOpen()
  const message = bravo.messages.getByRole('listitem').filter({ hasText: text })
  await expect(message).toBeVisible()
  await expect(message).toContainText(`From ${alphaPhone} (${ALPHA})`)
  await shell.screenshot('05-account-detail-message', testInfo)
  await bravo.back.click()
})

test('shows live telemetry for each account and for all of them', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const telemetry = new TelemetryPage(app.page)
  await shell.openTelemetry()

  await telemetry.expectScope('all accounts')
  const all = await telemetry.expectDataPoints('Operations per second')
  await expect(telemetry.chart(/^Load credentials/)).toContainText(/[1-9]\d* data points?/)
  await shell.screenshot('06-telemetry-all', testInfo)

  for (const label of [ALPHA, BRAVO]) {
    await telemetry.show(label)
    const points = await telemetry.expectDataPoints('Operations per second')
    expect(points).toBeGreaterThan(0)
    expect(points).toBeLessThanOrEqual(Math.max(all, points))
    await expect(app.page.getByRole('table', { name: `Signal keys stored for ${label}` })).toBeVisible()
  }
  await shell.screenshot('07-telemetry-one-account', testInfo)

  // Ticks keep coming: the chart's canvas is reused, never rebuilt (one canvas per chart).
  const canvases = app.page.locator('.chart-host canvas')
  const count = await canvases.count()
  await telemetry.show('All accounts')
  await expect(canvases).toHaveCount(count)
  await shell.openAccounts()
})

test('stops and starts an account', async ({ app }) => {
  const accounts = new AccountsPage(app.page)
  const bravo = accounts.card(BRAVO)
  await bravo.button('Stop').click()
  await bravo.expectStatus('Stopped')
  // The Stop button is gone; the keyboard focus moved to what replaced it, not to the page's start.
  await expect(bravo.button('Start')).toBeFocused()
  await bravo.button('Start').click()
  await bravo.expectStatus('Connected')
  await accounts.card(ALPHA).expectStatus('Connected')
})

test('removes an account after confirming, naming it in the dialog', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  await accounts.card(BRAVO).button('Remove').click()
  const confirm = new ConfirmDialog(app.page, `Remove ${BRAVO}?`)
  await expect(confirm.root).toContainText(BRAVO)
  // Focus starts on Cancel: a stray Enter removes nothing.
  await expect(confirm.root.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await shell.screenshot('08-remove-confirm', testInfo)
  await confirm.confirm('Remove account')

  await expect(accounts.card(BRAVO).root).toHaveCount(0)
  await accounts.card(ALPHA).expectStatus('Connected')
  await expect(app.page.getByText('1 account, 1 connected')).toBeVisible()
})

test('logs an account out after confirming, then pairs it again', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  const alpha = accounts.card(ALPHA)
  await alpha.button('Log out').click()
  const confirm = new ConfirmDialog(app.page, `Log out ${ALPHA}?`)
  await confirm.confirm('Log out')
  await alpha.expectStatus('Logged out')
  await expect(alpha.button('Log out')).toHaveCount(0)

  await alpha.button('Start').click()
  await alpha.expectStatus('Waiting for scan')
  await alpha.button('Show QR code for').click()
  const dialog = new PairingDialog(app.page, `Pair ${ALPHA}`)
  await expect(dialog.qrImage).toBeVisible()
  await shell.screenshot('09-re-pair-qr', testInfo)
  await dialog.simulateScan()
  await expect(dialog.status).toHaveText(/^Connected/)
  await dialog.done()
  await alpha.expectStatus('Connected')
})
