// A phone whose WhatsApp account needs a passkey pairs from the browser UI with the passkey helper, in
// Debian's Chromium (the full browser: a headless-shell build cannot load extensions). The helper is
// built unpacked for this run's server and loaded into a persistent context; https://web.whatsapp.com/**
// is routed to a local stand-in page, so nothing leaves the machine (the helper's own requests go to the
// Irish server on 127.0.0.1, unchanged). A CDP virtual authenticator holds a
// key whose public half the test registered with the simulator for the phone. The person adds the
// account, the phone scans (the simulator's admin API), the dialog turns to "Verify with passkey", the
// person opens the link, the helper runs the prompt and posts the answer, the code shown matches the
// phone's, "It matches my phone", connected. Screenshots of each step at 1280x800 and 390x844 (device
// scale 1) go to test-results/screenshots/; axe checks the dialog at each step.
//
// Not run here: the helper's runtime permission request (a native browser prompt no test can click):
// this build names the server in host_permissions instead; the relay's answer to a missing permission
// is unit-tested (extensions/passkey-helper/src/relay.test.ts).

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from '@playwright/test'
import { buildPasskeyHelper } from '../scripts/build-passkey-helper.mjs'
import { AccountsPage } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { expectNoSeriousViolations } from './support/axe'
import { expect, server, test, watchErrors } from './support/fixtures'
import { api, codeOnPhone, gate, holdPasskey, newPasskey, registerPasskey, scanWithPhone } from './support/passkey'

test.skip(({ target }) => target === 'electron', 'The passkey helper runs in a browser; the desktop app runs its own ceremony window (e2e/passkey-desktop.e2e.ts).')
test.describe.configure({ mode: 'serial', timeout: 120_000 })

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
const LABEL = 'Passkey in the browser'
/** What https://web.whatsapp.com answers in this run: a stand-in page, never WhatsApp's. */
const STAND_IN = '<!doctype html><html lang="en"><head><title>WhatsApp Web (stand-in)</title></head><body><main><h1>WhatsApp Web stand-in</h1></main></body></html>'

let work: string
let context: BrowserContext

test.beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'irish-e2e-helper-'))
  const helper = await buildPasskeyHelper({ out: join(work, 'helper'), hosts: [server().url] })
  context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: process.env.IRISH_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: DESKTOP,
    deviceScaleFactor: 1,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      `--disable-extensions-except=${helper.dir}`,
      `--load-extension=${helper.dir}`,
    ],
  })
  // The helper's service worker starts with the profile: the extension loaded.
  if (context.serviceWorkers().length === 0) await context.waitForEvent('serviceworker')
})

test.afterAll(async () => {
  await context?.close()
  if (work) rmSync(work, { recursive: true, force: true })
})

/** A screenshot at each size; the page goes back to the desktop size afterwards. */
async function screenshots(page: Page, name: string, testInfo: Parameters<AppShell['screenshot']>[1]): Promise<void> {
  const shell = new AppShell(page)
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size)
    await shell.screenshot(name, testInfo)
  }
  await page.setViewportSize(DESKTOP)
}

// `target` only because Playwright hands fixtures by destructuring; this test runs its own browser context.
test('a phone that needs a passkey pairs through the dialog and the passkey helper', async ({ target: _target }, testInfo) => {
  const irish = server()
  const passkey = newPasskey('15558880001')
  await registerPasskey(irish, passkey)
  await context.route('https://web.whatsapp.com/**', (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: STAND_IN }))
  // The helper's service worker asks Irish for the options (and only then runs the prompt): the tab the
  // link opens gets its virtual authenticator before that request goes on.
  const authenticatorReady = gate()
  await context.route(`${irish.url}/api/passkey-ceremony/**`, async (route) => {
    await authenticatorReady.opened
    await route.continue()
  })

  const page = await context.newPage()
  const errors = watchErrors(page)
  await page.goto(`${irish.url}/#token=${irish.token}`)
  await new AppShell(page).openAccounts()
  const dialog = await new AccountsPage(page).add(LABEL)
  await expect(dialog.qrImage).toBeVisible()
  const passkeyTab = dialog.root.getByRole('tab', { name: 'Verify with passkey' })
  await passkeyTab.click()
  await expect(dialog.status).toHaveText('No passkey check asked for yet')
  await expect(dialog.root.getByText(/this tab opens by itself/)).toBeVisible()
  await screenshots(page, 'passkey-browser-0-tab-before', testInfo)
  await dialog.root.getByRole('tab', { name: 'Scan QR code' }).click()

  // The phone with the passkey scans the QR code on screen.
  const id = (await api(irish, 'accounts:list', {})).find((a) => a.label === LABEL)!.id
  const { qr } = await api(irish, 'accounts:pairing', { id })
  expect(await scanWithPhone(irish, qr!, passkey.phone)).toEqual({ passkey: 'required' })

  await expect(passkeyTab).toHaveAttribute('aria-selected', 'true')
  await expect(dialog.status).toHaveText('WhatsApp asks for a passkey')
  await expect(dialog.root.getByRole('tab', { name: 'Scan QR code' })).toBeDisabled()
  await expect(dialog.root.getByRole('timer', { name: 'Time left for the passkey check' })).toHaveText(/^Time left \d:\d\d$/)
  const link = dialog.root.getByRole('link', { name: 'Open the passkey page' })
  const href = (await link.getAttribute('href'))!
  expect(href).toMatch(new RegExp(`^https://web\\.whatsapp\\.com/#irish-passkey=${id}\\.[A-Za-z0-9_-]{43}&server=${encodeURIComponent(irish.url).replace(/\./g, '\\.')}$`))
  await dialog.root.getByText('Install the passkey helper (once per browser)').click()
  await expect(dialog.root.getByText(/chrome:\/\/extensions/)).toBeVisible()
  await screenshots(page, 'passkey-browser-1-required', testInfo)
  await expectNoSeriousViolations(page, 'the passkey step')

  // The person opens the link: WhatsApp Web's address (the stand-in), where the helper takes over.
  const opening = context.waitForEvent('page')
  await link.click()
  const tab = await opening
  await holdPasskey(context, tab, passkey)
  authenticatorReady.open()
  const helper = tab.getByRole('region', { name: 'Irish passkey helper' })
  await expect(helper.getByRole('status')).toHaveText(/^Done\. Go back to Irish/)
  // The helper took the link out of the address before the page's own scripts could read it.
  expect(tab.url()).toBe('https://web.whatsapp.com/')
  await screenshots(tab, 'passkey-browser-2-helper-done', testInfo)

  // The link worked once: opened again, the helper says so and nothing changes.
  const again = await context.newPage()
  await again.goto(href)
  await expect(again.getByRole('region', { name: 'Irish passkey helper' }).getByRole('status')).toHaveText(/not valid any more/)
  await screenshots(again, 'passkey-browser-3-helper-link-used', testInfo)
  await again.close()
  await tab.close()

  await page.bringToFront()
  const code = dialog.root.getByLabel('Confirmation code')
  await expect(code).toHaveText(await codeOnPhone(irish, passkey.phone))
  await expect(dialog.status).toHaveText('Compare the code with the phone')
  await expect(dialog.root.getByRole('button', { name: 'It does not match' })).toBeVisible()
  await screenshots(page, 'passkey-browser-4-confirm', testInfo)
  await expectNoSeriousViolations(page, 'the confirmation code')

  await dialog.root.getByRole('button', { name: 'It matches my phone' }).click()
  await expect(dialog.status).toHaveText(`Connected as +${passkey.phone}.`)
  await screenshots(page, 'passkey-browser-5-connected', testInfo)
  await dialog.done()
  expect(errors(), 'console errors on the page').toEqual([])

  // The account's activity log tells the story in words, without the code or the link.
  const activity = (await api(irish, 'accounts:activity', { id, limit: 50 })).map((e) => e.message)
  expect(activity).toEqual(expect.arrayContaining(['WhatsApp asks for a passkey check before it links this device', 'Answer the passkey check: done', 'Confirm the passkey code matches the phone: done']))
  expect(JSON.stringify(activity)).not.toContain(href.split('=')[1]!.split('&')[0]!)
  // The specs share one server: leave it as it was.
  await api(irish, 'accounts:remove', { id })
})
