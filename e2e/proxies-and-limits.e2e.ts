// Proxies and send limits in the UI (docs/proxies-and-limits.md): an account's page sets its proxy to
// a real SOCKS5 server this spec starts on 127.0.0.1, reconnects through it and shows it with the
// password as ***; a bad URL is refused in the dialog; the account's limits are changed on its page,
// a burst over them waits in its queue (listed, one cancelled), and the table's columns show the queue;
// the table's bulk bar puts a selection behind a real HTTP CONNECT proxy, then connects it directly again;
// the settings give new accounts a proxy, send limits and a queue length.

import { AccountDetailPage } from './pages/account-detail-page'
import { AccountsPage } from './pages/accounts-page'
import { AccountsTablePage } from './pages/accounts-table-page'
import { AppShell } from './pages/app-shell'
import { expect, server, skipWithoutElectron, test } from './support/fixtures'
import { startHttpConnectProxy, startSocksProxy, type TestProxy } from '../test/support/test-proxies'
import { createApiClient } from '../src/shared/api-client'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })

const SENDER = 'Proxy sender'
const RECEIVER = 'Proxy receiver'
let proxy: TestProxy
let httpProxy: TestProxy

test.beforeAll(async () => {
  proxy = await startSocksProxy('e2e secret', 'socks5h')
  httpProxy = await startHttpConnectProxy('e2e http secret')
})

test.afterAll(async () => {
  await proxy?.close()
  await httpProxy?.close()
})

test.afterEach(async ({ app }) => {
  expect(app.takeErrors(), 'console errors on the page').toEqual([])
})

test('pairs a sender and a receiver', async ({ app }) => {
  const accounts = new AccountsPage(app.page)
  await new AppShell(app.page).openAccounts()
  for (const label of [SENDER, RECEIVER]) {
    const dialog = await accounts.add(label)
    await dialog.simulateScan()
    await expect(dialog.status).toHaveText(/^Connected/)
    await dialog.done()
  }
})

test("sets an account's proxy on its page, reconnects through it, never shows the password", async ({ app }) => {
  const page = app.page
  await new AccountsTablePage(page).showAsTable()
  await page.getByRole('link', { name: SENDER, exact: true }).click()
  await new AccountDetailPage(page, SENDER).expectOpen()
  await expect(page.locator('[data-field="proxy"]')).toHaveText('Connects directly (no proxy)')

  await page.getByRole('button', { name: 'Proxy…' }).click()
  const dialog = page.getByRole('dialog', { name: `Proxy of ${SENDER}` })
  await dialog.getByLabel('Proxy URL').fill('https://proxy.example:443')
  await dialog.getByRole('button', { name: 'Use this proxy' }).click()
  await expect(dialog.getByRole('alert')).toContainText('starts with http://, socks5:// or socks5h://')

  const tunnels = proxy.tunnels.length
  await dialog.getByLabel('Proxy URL').fill(proxy.url)
  await dialog.getByLabel(/Reconnect running accounts now/).check()
  await dialog.getByRole('button', { name: 'Use this proxy' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.locator('[data-field="proxy"]')).toHaveText(`Connects through socks5h://irish:***@${proxy.host}`)
  await expect.poll(() => proxy.tunnels.length).toBeGreaterThan(tunnels)
  await expect(page.getByText('e2e secret')).toHaveCount(0)
})

test("changes the account's limits, shows the queue a burst makes, and cancels from it", async ({ app }) => {
  const page = app.page
  const panel = page.getByRole('region', { name: 'Sending' })
  const limits = panel.getByRole('form', { name: 'Send limits' })
  await limits.getByLabel('Messages per minute').fill('')
  await limits.getByLabel('Milliseconds between two sends').fill('3600000')
  await limits.getByRole('button', { name: 'Save limits' }).click()
  await expect(limits.getByRole('status')).toHaveText('Saved.')

  // Through the API, as an integration would: the first goes, the next two wait an hour.
  const { url, token } = server()
  const api = createApiClient({ baseUrl: url, token })
  const list = await api.call('accounts:list', {})
  const sender = list.find((a) => a.label === SENDER)!
  const receiver = list.find((a) => a.label === RECEIVER)!
  const answers = []
  for (const text of ['one', 'two', 'three']) answers.push(await api.call('accounts:send-text', { id: sender.id, to: `+${receiver.phone}`, text }))
  expect(answers.map((a) => a.state)).toEqual(['sent', 'queued', 'queued'])

  const queue = panel.getByRole('table', { name: `Send queue of ${SENDER}` })
  const waiting = answers.filter((a) => a.state === 'queued')
  await expect(queue.getByRole('row')).toHaveCount(waiting.length + 1)
  await queue.locator(`[data-message="${waiting[0]!.messageId}"]`).getByRole('button', { name: 'Cancel' }).click()
  await expect(queue.getByRole('row')).toHaveCount(waiting.length)

  await page.getByRole('button', { name: 'All accounts' }).click()
  await new AccountsTablePage(page).showAsTable()
  const row = page.locator(`tr[data-account="${sender.id}"]`)
  await expect(row.locator('[data-field="queued"]')).toHaveText(String(waiting.length - 1))
  await expect(row.locator('[data-field="limitReached"]')).toHaveText('milliseconds between two sends')
  await api.call('accounts:queue-cancel', { id: sender.id, messageIds: waiting.slice(1).map((a) => a.messageId) })
})

test('sets and clears the proxy of a selection from the table', async ({ app }) => {
  const page = app.page
  const table = new AccountsTablePage(page)
  await table.showAsTable()
  const { url, token } = server()
  const api = createApiClient({ baseUrl: url, token })
  const pair = async () => {
    const list = await api.call('accounts:list', {})
    return [SENDER, RECEIVER].map((label) => list.find((a) => a.label === label)!)
  }
  const proxies = async (): Promise<Array<string | null>> => (await pair()).map((a) => a.proxy)
  for (const label of [SENDER, RECEIVER]) await table.row(label).getByRole('checkbox', { name: `Select ${label}` }).check()

  const tunnels = httpProxy.tunnels.length
  await table.bulkBar.getByRole('button', { name: 'Proxy…', exact: true }).click()
  const dialog = page.getByRole('dialog', { name: 'Proxy of 2 accounts' })
  await dialog.getByLabel('Proxy URL').fill(httpProxy.url)
  await dialog.getByLabel(/Reconnect running accounts now/).check()
  await dialog.getByRole('button', { name: 'Use this proxy' }).click()
  await expect(dialog).toBeHidden()
  const shown = `http://irish:***@${httpProxy.host}`
  expect(await proxies()).toEqual([shown, shown])
  // Both reconnected through it: a tunnel each.
  await expect.poll(() => httpProxy.tunnels.length - tunnels).toBe(2)
  await expect.poll(async () => (await pair()).map((a) => a.status)).toEqual(['connected', 'connected'])
  // Done for every account: the selection is cleared, as after any bulk action; the next one starts afresh.
  await expect(table.bulkBar).toBeHidden()

  for (const label of [SENDER, RECEIVER]) await table.row(label).getByRole('checkbox', { name: `Select ${label}` }).check()
  await table.bulkBar.getByRole('button', { name: 'Proxy…', exact: true }).click()
  await dialog.getByRole('radio', { name: /Directly/ }).check()
  await dialog.getByRole('button', { name: 'Connect directly' }).click()
  await expect(dialog).toBeHidden()
  expect(await proxies()).toEqual([null, null])
  await expect(page.getByText('e2e http secret')).toHaveCount(0)
  await expect(table.bulkBar).toBeHidden()
})

test('the settings give new accounts a default proxy and default send limits', async ({ app }) => {
  const page = app.page
  const { url, token } = server()
  const api = createApiClient({ baseUrl: url, token })
  const before = await api.call('settings:get', {})
  await new AppShell(page).openSettings()
  const defaults = page.getByRole('group', { name: 'Send limits for new accounts' })
  await page.getByLabel('Default proxy for new accounts').fill(proxy.url)
  await defaults.getByLabel('Messages per hour').fill('many')
  await page.getByRole('button', { name: 'Save settings' }).click()
  // Only the form's own alert: a toast about another account may be showing too.
  await expect(page.getByRole('alert').filter({ hasText: 'messages per hour' })).toHaveText('Give the messages per hour as a whole number, or leave it empty for no limit.')
  expect(await api.call('settings:get', {})).toEqual(before)

  await defaults.getByLabel('Messages per minute').fill('7')
  await defaults.getByLabel('Messages per hour').fill('')
  await defaults.getByLabel('Queue length per account').fill('50')
  await page.getByRole('button', { name: 'Save settings' }).click()
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible()
  try {
    const saved = await api.call('settings:get', {})
    expect(saved).toMatchObject({
      defaultProxy: `socks5h://irish:***@${proxy.host}`,
      defaultLimits: { ...before.defaultLimits, perMinute: 7, perHour: null },
      maxQueuePerAccount: 50,
    })
    await expect(page.getByLabel('Default proxy for new accounts')).toHaveValue(saved.defaultProxy!)
    const added = await api.call('accounts:add', { label: 'Under the default settings' })
    expect(added).toMatchObject({ proxy: saved.defaultProxy, limits: saved.defaultLimits })
    await api.call('accounts:remove', { id: added.id })
  } finally {
    await api.call('settings:set', { defaultProxy: null, defaultLimits: before.defaultLimits, maxQueuePerAccount: before.maxQueuePerAccount })
  }
})
