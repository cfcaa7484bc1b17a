// Needs attention at scale: 200 real accounts (real Baileys against the simulator, on a server of their
// own: e2e/support/attention-server.ts) after a mix of WhatsApp's faults (kicks, a ban, takeovers, a
// reach-out limit, undecryptable messages, silent sockets). The view must group them by condition with
// the core's words, offer each group its remedy, and carry it out for a group; an account's page shows
// its condition and history. Screenshots at 1280x800 and 390x844, and axe at both.

import type { Page } from '@playwright/test'
import { CONDITION_CODES } from '../src/shared/contract'
import { AppShell } from './pages/app-shell'
import { AttentionPage } from './pages/attention-page'
import { expectNoSeriousViolations } from './support/axe'
import { ATTENTION_SIZE, attentionLabel, expectedCondition, expectedConditionCount } from './support/attention-mix'
import { startAttentionServer, type AttentionServer } from './support/attention'
import { expect, test, watchErrors } from './support/fixtures'
import { fitsWidth } from './support/in-page'

test.describe.configure({ mode: 'serial' })
test.skip(({ target }) => target === 'electron', 'The 200-account server is headless: the web project covers it.')

let server: AttentionServer
let page: Page
let takeErrors: () => string[]
/** The groups the mix leads to, in the order the view lists them (CONDITION_CODES: most urgent first). */
const GROUPS = CONDITION_CODES.filter((code) => expectedConditionCount(code) > 0)
const TOTAL = GROUPS.reduce((n, code) => n + expectedConditionCount(code), 0)

test.beforeAll(async ({ browser }) => {
  test.setTimeout(600_000)
  server = await startAttentionServer()
  await server.inject()
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  page = await context.newPage()
  takeErrors = watchErrors(page)
  await page.goto(`${server.url}/#token=${server.token}`)
})

test.afterAll(async () => {
  await page?.context().close()
  await server?.stop()
})

test.afterEach(() => {
  expect(takeErrors(), 'console errors on the page').toEqual([])
})

test('groups the 200 accounts by condition, most urgent first, each with its remedy', async ({ browserName: _browserName }, testInfo) => {
  const view = new AttentionPage(page)
  await expect(view.navLink).toHaveAccessibleName(`Needs attention ${TOTAL} accounts`)
  await view.navLink.click()
  await expect(view.heading).toHaveText('Needs attention')
  await expect(view.summary).toHaveText(`${TOTAL} accounts need attention, in ${GROUPS.length} groups.`)
  // In the order of urgency, with the core's titles and one row per account.
  await expect(page.locator('section.attention-group')).toHaveCount(GROUPS.length)
  const order = await page.locator('section.attention-group').evaluateAll((sections) => sections.map((s) => s.getAttribute('data-condition')))
  expect(order).toEqual(['logged-out', 'banned', 'replaced', 'decrypt-failures', 'reach-out-limited'])
  for (const code of GROUPS) await expect(view.rows(code)).toHaveCount(expectedConditionCount(code))
  await expect(view.group('logged-out').getByRole('heading')).toContainText('Logged out by WhatsApp')
  await expect(view.group('banned').getByRole('heading')).toContainText('Banned by WhatsApp')
  await expect(view.group('replaced').getByRole('heading')).toContainText('Replaced by another client')
  // Each group's one remedy: re-pair for ended sessions, a time to wait until, nothing to press for
  // decryption (the senders resend).
  await expect(view.remedy('logged-out').getByRole('button')).toHaveText(`Re-pair all ${expectedConditionCount('logged-out')}…`)
  await expect(view.remedy('replaced').getByRole('button')).toHaveText(`Re-pair all ${expectedConditionCount('replaced')}…`)
  await expect(view.remedy('reach-out-limited')).toContainText(/^Wait until /)
  await expect(view.remedy('decrypt-failures').getByRole('button')).toHaveCount(0)
  // The core's specifics on each row.
  const limited = view.rows('reach-out-limited').first()
  await expect(limited).toContainText('error 463')
  await expect(limited).toContainText('Refusing texts to new contacts until')
  await expect(view.rows('decrypt-failures').first()).toContainText(/\d+ messages failed to decrypt in the last 10 minutes/)

  await new AppShell(page).screenshot('30-needs-attention-200', testInfo)
  await expectNoSeriousViolations(page, 'Needs attention at 1280x800')
  await page.setViewportSize({ width: 390, height: 844 })
  await expect(view.heading).toHaveText('Needs attention')
  expect(await page.evaluate(fitsWidth)).toBe(true)
  await new AppShell(page).screenshot('30-needs-attention-200', testInfo)
  await expectNoSeriousViolations(page, 'Needs attention at 390x844')
  await page.setViewportSize({ width: 1280, height: 800 })
})

test('re-pairs a whole group with one action, after asking; the group leaves the view', async ({ browserName: _browserName }) => {
  const view = new AttentionPage(page)
  const count = expectedConditionCount('logged-out')
  await view.remedy('logged-out').getByRole('button', { name: `Re-pair all ${count}…` }).click()
  const dialog = page.getByRole('alertdialog', { name: `Re-pair all ${count}?` })
  await expect(dialog).toContainText('deletes the keys')
  await dialog.getByRole('button', { name: `Re-pair all ${count}` }).click()
  // Each now shows a new QR code, waiting for its phone: nothing wrong any more, so the group goes.
  await expect(view.group('logged-out')).toHaveCount(0)
  await expect(view.summary).toHaveText(`${TOTAL - count} accounts need attention, in ${GROUPS.length - 1} groups.`)
})

test('an account’s page shows its condition, what to do, its history and the doctor’s counts', async ({ browserName: _browserName }, testInfo) => {
  const view = new AttentionPage(page)
  const index = Array.from({ length: ATTENTION_SIZE }, (_, i) => i).find((i) => expectedCondition(i) === 'banned')!
  await view.group('banned').getByRole('button', { name: attentionLabel(index) }).click()
  await expect(page.locator('#main-heading')).toHaveText(attentionLabel(index))
  const panel = page.getByRole('region', { name: 'Condition' })
  await expect(panel.locator('[data-condition="banned"]').first()).toContainText('Banned by WhatsApp')
  await expect(panel.locator('[data-field="condition-detail"]')).toContainText('(403)')
  await expect(panel.locator('[data-field="condition-automatic"]')).toHaveText('Doing nothing about it: it waits for you.')
  await expect(panel.getByRole('list', { name: /^Conditions of / })).toContainText('Banned by WhatsApp:')
  await expect(panel.locator('[data-field="decrypt-failures"]')).toHaveText('0')
  // The card offers re-pair, never a plain Start, for a banned account.
  await expect(page.getByRole('button', { name: `Re-pair ${attentionLabel(index)}` })).toBeVisible()
  await expect(page.getByRole('button', { name: `Start ${attentionLabel(index)}` })).toHaveCount(0)
  await new AppShell(page).screenshot('31-account-condition', testInfo)
  await expectNoSeriousViolations(page, 'an account with a condition')
})
