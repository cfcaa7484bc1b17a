// The demo (`npm start`, or the desktop app with IRISH_SIMULATOR=1): "Simulate scan by a passkey phone"
// (or the code typed on one) takes the dialog through the passkey path, "Simulate the authenticator"
// answers with the simulator's demo key, and the person compares the code. A code that does not match
// drops the check and the QR code comes back. The specs share one server: each leaves it as it was.

import { AccountsPage, ConfirmDialog } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { expect, skipWithoutElectron, test } from './support/fixtures'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })

async function remove(accounts: AccountsPage, label: string): Promise<void> {
  await accounts.card(label).button('Remove').click()
  await new ConfirmDialog(accounts.page, `Remove ${label}?`).confirm('Remove account')
  await expect(accounts.card(label).root).toBeHidden()
}

test.describe('the demo (npm start): the simulator plays the passkey phone and its authenticator', () => {
  test.afterEach(async ({ app }) => {
    expect(app.takeErrors(), 'console errors on the page').toEqual([])
  })

  test('Simulate scan by a passkey phone, a code that does not match, then one that does: connected', async ({ app }) => {
    const accounts = new AccountsPage(app.page)
    await new AppShell(app.page).openAccounts()
    const dialog = await accounts.add('Passkey demo by QR')
    await expect(dialog.qrImage).toBeVisible()
    const tab = (name: string) => dialog.root.getByRole('tab', { name })
    await dialog.root.getByRole('button', { name: 'Simulate scan by a passkey phone' }).click()
    await expect(tab('Verify with passkey')).toHaveAttribute('aria-selected', 'true')
    await expect(dialog.status).toHaveText('WhatsApp asks for a passkey')
    await dialog.root.getByRole('button', { name: 'Simulate the authenticator' }).click()
    await expect(dialog.root.getByLabel('Confirmation code')).toHaveText(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/)

    // "It does not match" drops the check: nothing is linked, and the QR code is back for a new scan.
    await dialog.root.getByRole('button', { name: 'It does not match' }).click()
    await expect(tab('Scan QR code')).toHaveAttribute('aria-selected', 'true')
    await expect(dialog.qrImage).toBeVisible()
    await expect(accounts.card('Passkey demo by QR').status).toHaveText(/Waiting/)

    await dialog.root.getByRole('button', { name: 'Simulate scan by a passkey phone' }).click()
    await dialog.root.getByRole('button', { name: 'Simulate the authenticator' }).click()
    await dialog.root.getByRole('button', { name: 'It matches my phone' }).click()
    await expect(dialog.status).toHaveText(/^Connected as \+1555\d{7}\./)
    await dialog.done()
    await remove(accounts, 'Passkey demo by QR')
  })

  test('the code typed on a passkey phone goes through the same check', async ({ app }) => {
    const accounts = new AccountsPage(app.page)
    const dialog = await accounts.add('Passkey demo by code')
    await expect(dialog.qrImage).toBeVisible()
    await dialog.root.getByRole('tab', { name: 'Link with phone number' }).click()
    await dialog.root.getByLabel('Phone number of the phone that owns the account').fill('+1 555 777 0001')
    await dialog.root.getByRole('button', { name: 'Get code', exact: true }).click()
    await dialog.root.getByRole('button', { name: 'Simulate it on a passkey phone' }).click()
    await expect(dialog.status).toHaveText('WhatsApp asks for a passkey')
    await dialog.root.getByRole('button', { name: 'Simulate the authenticator' }).click()
    await dialog.root.getByRole('button', { name: 'It matches my phone' }).click()
    await expect(dialog.status).toHaveText('Connected as +15557770001.')
    await dialog.done()
    await remove(accounts, 'Passkey demo by code')
  })
})
