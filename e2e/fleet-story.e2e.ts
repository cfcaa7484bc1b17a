// The README's "try a fleet on one machine", step by step as a person follows it: the standalone
// simulator (`npm run simulator`), two servers on one PostgreSQL started with the README's line and
// the simulator's printed values, then "Add account" and "Simulate scan" in each server's UI; both
// servers list both accounts, connected. Only the database (a throwaway cluster, as the other fleet
// suites start), the ports and the data dirs differ from the README's.

import type { Browser, Page } from '@playwright/test'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startPostgresCluster, type PostgresCluster } from '../test/support/postgres-cluster'
import { AccountsPage } from './pages/accounts-page'
import { expect, test, watchErrors } from './support/fixtures'
import { PG_INSTALL } from './support/pg-fleet'
import { runShellCommand, type ShellCommand } from './support/shell-command'

test.skip(({ target }) => target === 'electron', 'A fleet is headless servers: the web project covers it.')
// Outside CI only: where every part is required a missing PostgreSQL fails at import (requirePostgres).
test.skip('missing' in PG_INSTALL, `No PostgreSQL on this machine: ${'missing' in PG_INSTALL ? PG_INSTALL.missing : ''}`)

const SIMULATOR_LINE = /^(\{"url":"ws:\/\/127\.0\.0\.1:\d+\/ws\/chat".*\})$/

let work: string | null = null
let cluster: PostgresCluster | null = null
const commands: ShellCommand[] = []
const takeErrors: Array<() => string[]> = []

test.afterAll(async () => {
  for (const command of commands.reverse()) await command.stop()
  await cluster?.stop()
  if (work) rmSync(work, { recursive: true, force: true })
})

async function openLink(browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
  const page = await context.newPage()
  takeErrors.push(watchErrors(page))
  await page.goto(link)
  await expect(new AccountsPage(page).addButton).toBeVisible()
  return page
}

test('pairs accounts on a fleet of two servers on the standalone simulator, as the README says', async ({ browser }) => {
  test.setTimeout(240_000)
  work = mkdtempSync(join(tmpdir(), 'irish-e2e-fleet-story-'))
  if ('missing' in PG_INSTALL) throw new Error(PG_INSTALL.missing)
  cluster = await startPostgresCluster(PG_INSTALL)
  const database = await cluster.createDatabase('fleet')

  // The simulator, as printed.
  const simulator = runShellCommand(`npm run simulator -- --port 0 --state ${join(work, 'fleet-simulator.json')}`)
  commands.push(simulator)
  const [, printed] = await simulator.waitFor(SIMULATOR_LINE, 60_000)
  const { url, rootKey, admin } = JSON.parse(printed!) as { url: string; rootKey: string; admin: string }

  // Two servers, each with the README's line (its own port and data dir at the end).
  const token = randomBytes(32).toString('hex')
  const key = randomBytes(32).toString('base64')
  const servers: string[] = []
  for (const [n, port] of [[1, 7431], [2, 7432]] as const) {
    const line =
      `IRISH_DATABASE_URL=${database} IRISH_API_TOKEN=${token} IRISH_DATA_KEY=${key} IRISH_WHATSAPP_URL=${url} ` +
      `IRISH_WHATSAPP_ROOT_KEY=${rootKey} IRISH_SIMULATOR_ADMIN=${admin} npm run serve -- --port ${port} --data-dir fleet-${n}`
    const server = runShellCommand(`${line} --port 0 --data-dir ${join(work, `fleet-${n}`)}`)
    commands.push(server)
    const [, listening] = await server.waitFor(/^listening on (http:\/\/127\.0\.0\.1:\d+)$/, 90_000)
    servers.push(listening!)
  }

  // "Add account", then "Simulate scan", in each server's UI.
  const pages = [await openLink(browser, `${servers[0]}/#token=${token}`), await openLink(browser, `${servers[1]}/#token=${token}`)]
  await new AccountsPage(pages[0]!).addConnected('North desk')
  await new AccountsPage(pages[1]!).addConnected('South desk')

  // Every server lists both, connected.
  for (const page of pages) {
    for (const label of ['North desk', 'South desk']) await new AccountsPage(page).card(label).expectStatus('Connected')
  }
  for (const take of takeErrors) expect(take(), 'console errors on a page').toEqual([])
})
