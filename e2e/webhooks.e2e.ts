// The webhooks view (docs/webhooks.md) in Chromium against the headless server, with a real receiver on
// 127.0.0.1 in this test process: a refused address says why, adding shows the secret once (copyable),
// a test event arrives signed with that secret and shows as delivered with its payload and answer,
// redeliver sends the same delivery id again, remove asks first. Screenshots at 1280x800 and 390x844
// (test-results/screenshots/), and axe on the view.

import { startReceiver, type Receiver } from '../test/support/webhook-receiver'
import { ConfirmDialog } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { WebhooksPage } from './pages/webhooks-page'
import { expectNoSeriousViolations } from './support/axe'
import { readClipboard } from './support/in-page'
import { expect, test } from './support/fixtures'

test.skip(({ target }) => target === 'electron', 'Drives the headless server with a receiver in this process; the IPC transport carries the same commands.')
test.describe.configure({ mode: 'serial' })

let receiver: Receiver
let secret = ''

test.beforeAll(async () => {
  receiver = await startReceiver()
})

test.afterAll(async () => {
  // Unset where the project skipped (electron without a binary): beforeAll never ran.
  await (receiver as Receiver | undefined)?.close()
})

test.afterEach(({ app }) => {
  // A refused webhooks:add answers 400, which the browser logs; anything else is a defect.
  expect(app.takeErrors().filter((e) => !/status of 400/.test(e))).toEqual([])
})

test('refuses an address that would send events unencrypted, and says why', async ({ app }) => {
  const hooks = new WebhooksPage(app.page)
  await hooks.open()
  await expect(app.page.getByRole('heading', { name: 'No webhooks yet' })).toBeVisible()
  await hooks.add('http://hooks.example.com/irish', ['Messages received'])
  await expect(hooks.error).toContainText('Refusing http://hooks.example.com')
  await expect(hooks.newSecret).toHaveCount(0)
})

test('adds a webhook and shows its secret once, with a copy button', async ({ app }) => {
  const hooks = new WebhooksPage(app.page)
  await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'])
  await hooks.add(receiver.url, ['Messages received', 'Account status changes'])
  await expect(hooks.newSecret).toBeVisible()
  // Never below the fold: the secret takes the focus, which scrolls it into view.
  await expect(hooks.newSecret).toBeFocused()
  await expect(hooks.newSecret).toBeInViewport({ ratio: 1 })
  secret = await hooks.shownSecret()
  expect(secret).toMatch(/^whsec_[\w-]{43}$/)
  await hooks.newSecret.getByRole('button', { name: 'Copy secret' }).click()
  await expect(hooks.newSecret.getByRole('status')).toHaveText('Copied.')
  expect(await app.page.evaluate(readClipboard)).toBe(secret)
  await expect(hooks.endpointRow(receiver.url)).toContainText('accounts:message, accounts:changed')
  await expect(hooks.endpointRow(receiver.url)).toContainText('Last success: never')
  // The list never carries the secret.
  await expect(hooks.endpoints).not.toContainText(secret)
})

test('a test event arrives signed with that secret and shows as delivered', async ({ app }) => {
  const hooks = new WebhooksPage(app.page)
  await hooks.endpointRow(receiver.url).getByRole('button', { name: /^Send test event/ }).click()
  const got = await receiver.next((r) => r.event === 'webhooks:test')
  expect(receiver.verify(got, secret)).toBe(true)
  const row = hooks.delivery('webhooks:test')
  await expect(row).toContainText('Delivered')
  await expect(row).toContainText('HTTP 200')
  await row.getByText(/Payload and response/).click()
  await expect(row).toContainText('A test event from Irish Desktop.')
  // The receiver is on this machine: its answer's status is kept, not its text.
  await expect(row).toContainText('only the status of an answer from this machine or a private network is kept')
  await expect(row).not.toContainText('thanks')
  await expect(hooks.endpointRow(receiver.url)).toContainText('Failures in a row: 0')
  await expect(hooks.endpointRow(receiver.url)).not.toContainText('Last success: never')

  await row.getByRole('button', { name: /^Redeliver/ }).click()
  await receiver.count((r) => r.delivery === got.delivery, 2)
})

test('the view at 1280x800 and 390x844, checked with axe', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  // The top of the view: the endpoints and their health.
  await app.page.locator('#main-heading').scrollIntoViewIfNeeded()
  await expectNoSeriousViolations(app.page, 'the webhooks view')
  await shell.screenshot('webhooks', testInfo)
  await app.page.setViewportSize({ width: 390, height: 844 })
  await app.page.locator('#main-heading').scrollIntoViewIfNeeded()
  await expectNoSeriousViolations(app.page, 'the webhooks view, narrow')
  await shell.screenshot('webhooks', testInfo)
  await app.page.setViewportSize({ width: 1280, height: 800 })
})

test('removes a webhook after asking', async ({ app }) => {
  const hooks = new WebhooksPage(app.page)
  await hooks.endpointRow(receiver.url).getByRole('button', { name: /^Remove/ }).click()
  const dialog = new ConfirmDialog(app.page, 'Remove this webhook?')
  await expect(dialog.root).toContainText(receiver.url)
  await dialog.confirm('Remove webhook')
  await expect(app.page.getByRole('heading', { name: 'No webhooks yet' })).toBeVisible()
})
