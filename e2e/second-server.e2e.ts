// The README's "whole story on one machine", step by step, as a person follows it: `npm start`, open
// the printed link, pair two accounts with "Simulate scan" and message between them; start the second
// server with the very line the first one printed; export one account to it "To a server"; open the
// second server's link, pair one more there with "Simulate scan", and message both ways; restart the
// first server and see the second one say its simulator is gone, then reconnect by itself. Only the
// ports and data dirs differ from the README's
// (a free port and temp dirs, passed the way the README says to choose others), so it runs beside
// anything else on this machine and leaves nothing in the repository.

import type { Browser, Page } from '@playwright/test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AccountDetailPage } from './pages/account-detail-page'
import { AccountsPage } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { ExportDialog } from './pages/transfer-dialogs'
import { expect, test, watchErrors } from './support/fixtures'
import { runShellCommand, type ShellCommand } from './support/shell-command'

test.skip(({ target }) => target === 'electron', 'The README story runs headless servers in a browser: the web project covers it.')

const LINK = /open the UI at (http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/
const SECOND_SERVER_LINE =
  /^\s+(IRISH_WHATSAPP_URL=\S+ IRISH_WHATSAPP_ROOT_KEY=[0-9a-f]{64} IRISH_SIMULATOR_ADMIN=\S+ IRISH_SIMULATOR_ADMIN_TOKEN=\S+ npm run serve -- --port 7421 --data-dir demo-data-2)$/

/** Made by the test, so a project that skips it (electron) has nothing to clean up. */
let work: string | null = null
const commands: ShellCommand[] = []
const takeErrors: Array<() => string[]> = []

test.afterAll(async () => {
  for (const command of commands) await command.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

/** Opens a printed sign-in link in a page of its own (a new browser window, as a person would). */
async function openLink(browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  takeErrors.push(watchErrors(page))
  await page.goto(link)
  await expect(new AccountsPage(page).addButton).toBeVisible()
  return page
}

/** Sends from `from` (its page) to `to`'s phone, then sees the text arrive in `to`'s page. */
async function message(from: { page: Page; label: string }, to: { page: Page; label: string; phone: string }, text: string): Promise<void> {
  const accounts = new AccountsPage(from.page)
  await accounts.card(from.label).button('Details for').click()
  const sender = new AccountDetailPage(from.page, from.label)
  await sender.expectOpen()
  await sender.send(to.phone, text)
  await sender.back.click()

  await new AccountsPage(to.page).card(to.label).button('Details for').click()
  const receiver = new AccountDetailPage(to.page, to.label)
  await receiver.expectOpen()
  await expect(receiver.messages.getByRole('listitem').filter({ hasText: text })).toBeVisible()
  await receiver.back.click()
}

test('moves an account to a second server on the same simulator, as the README says, and it keeps messaging', async ({ browser }, testInfo) => {
  test.setTimeout(240_000)
  work = mkdtempSync(join(tmpdir(), 'irish-e2e-readme-'))
  // Step 1: npm start, open the printed link, two accounts, a text from one to the other.
  const startFirst = `npm start -- --port 0 --data-dir ${join(work, 'demo-data')}`
  const first = runShellCommand(startFirst)
  commands.push(first)
  const [, firstUrl, firstToken] = await first.waitFor(LINK, 90_000)
  await first.waitFor(/^listening on /)
  const one = await openLink(browser, `${firstUrl}/#token=${firstToken}`)
  const alice = { page: one, label: 'Alice', phone: await (await new AccountsPage(one).addConnected('Alice')).phone() }
  const bob = { page: one, label: 'Bob', phone: await (await new AccountsPage(one).addConnected('Bob')).phone() }
  await message(alice, bob, 'Hello Bob, from Alice on the first server')

  // Step 2: the line the first server printed, run as printed (port and data dir chosen at the end).
  const [, printed] = await first.waitFor(SECOND_SERVER_LINE)
  const second = runShellCommand(`${printed} --port 0 --data-dir ${join(work, 'demo-data-2')}`)
  commands.push(second)
  const [, secondUrl, secondToken] = await second.waitFor(LINK, 90_000)
  await second.waitFor(/^listening on /)

  // Step 3: Export… on Bob, To a server, the second server's address and the token from its link.
  await new AccountsPage(one).card('Bob').button('Export').click()
  const exporting = new ExportDialog(one, 'Bob')
  await exporting.destination('To a server').check()
  await exporting.root.getByLabel('Server address').fill(secondUrl!)
  await exporting.root.getByLabel('Its API token').fill(secondToken!)
  await exporting.submitButton().click()
  await expect(exporting.result).toContainText(`Moved Bob to ${secondUrl}`, { timeout: 30_000 })
  await exporting.done()
  await new AccountsPage(one).card('Bob').expectStatus('Moved')

  // Step 4: the second server's link: Bob is there, connected; one more account paired there with
  // "Simulate scan" (the second server plays the first one's simulator); texts go both ways.
  const two = await openLink(browser, `${secondUrl}/#token=${secondToken}`)
  await new AccountsPage(two).card('Bob').expectStatus('Connected')
  const carol = { page: two, label: 'Carol', phone: await (await new AccountsPage(two).addConnected('Carol')).phone() }
  const movedBob = { page: two, label: 'Bob', phone: bob.phone }
  await message(movedBob, alice, 'Hello Alice, from Bob on the second server')
  await message(alice, movedBob, 'Hello again Bob, on your new server')
  await message(carol, alice, 'Hello Alice, from Carol, paired on the second server')
  await new AppShell(two).screenshot('40-second-server-moved-account', testInfo)

  // Step 5: the first server stops and starts again; the second one says its simulator is gone, and
  // its accounts come back by themselves on the same simulator port. The first server's page goes
  // with it (its refused requests are no fault of the page).
  for (const take of takeErrors) expect(take(), 'console errors on a page').toEqual([])
  takeErrors.shift()
  await one.context().close()
  await first.stop()
  await expect(two.getByRole('alert', { name: 'Simulator not answering' })).toBeVisible({ timeout: 30_000 })
  await new AppShell(two).screenshot('41-second-server-simulator-gone', testInfo)
  const restarted = runShellCommand(startFirst)
  commands.push(restarted)
  const [, againUrl, againToken] = await restarted.waitFor(LINK, 90_000)
  const [, printedAgain] = await restarted.waitFor(SECOND_SERVER_LINE)
  expect(printedAgain, 'the second-server line after a restart').toBe(printed)
  await expect(two.getByRole('alert', { name: 'Simulator not answering' })).toBeHidden({ timeout: 30_000 })
  await new AccountsPage(two).card('Bob').expectStatus('Connected')
  await new AccountsPage(two).card('Carol').expectStatus('Connected')
  const oneAgain = await openLink(browser, `${againUrl}/#token=${againToken}`)
  await new AccountsPage(oneAgain).card('Alice').expectStatus('Connected')
  await message(movedBob, { ...alice, page: oneAgain }, 'Hello Alice, after your server restarted')

  for (const take of takeErrors) expect(take(), 'console errors on a page').toEqual([])
})
