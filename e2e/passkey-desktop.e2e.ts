// The desktop app's passkey ceremony. Two parts:
// - 'electron' (the release pipeline, where an Electron binary exists): the person adds an account, the
//   phone with a passkey scans, "Verify with passkey" opens the app's ceremony window (its own partition,
//   where the app answers https://web.whatsapp.com itself), a CDP virtual authenticator in that window
//   holds the key, the codes match, connected. Skips here, with the reason.
// - 'web' (here): the same ceremony page (src/renderer/ceremony.html, from the renderer build) in
//   Chromium on https://web.whatsapp.com, with Playwright's routes doing what the desktop app's protocol
//   handler does (the page and its assets from the build; the ceremony routes handed to the core, here
//   through the server's routes). What it cannot show: Electron's protocol.handle and partition, which
//   src/main/electron/passkey-ceremony.test.ts checks with the API injected.
// Screenshots at 1280x800 and 390x844 (device scale 1) go to test-results/screenshots/.

import { join } from 'node:path'
import type { Page, TestInfo } from '@playwright/test'
import type { AccountSummary, PairingState, Result, SimulatorInfo } from '../src/shared/contract'
import { parseCeremonyUrl } from '../src/shared/passkey-ceremony'
import { AccountsPage } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { expectNoSeriousViolations } from './support/axe'
import { RENDERER_OUT } from './support/build-renderer'
import { expect, server, skipWithoutElectron, test } from './support/fixtures'
import { api, codeOnPhone, holdPasskey, newPasskey, registerPasskey, scanWithPhone } from './support/passkey'

skipWithoutElectron()
test.describe.configure({ mode: 'serial', timeout: 120_000 })

const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }

async function screenshots(page: Page, name: string, testInfo: TestInfo): Promise<void> {
  const shell = new AppShell(page)
  for (const size of [DESKTOP, PHONE]) {
    await page.setViewportSize(size)
    await shell.screenshot(name, testInfo)
  }
  await page.setViewportSize(DESKTOP)
}

test.describe('the ceremony page in Chromium', () => {
  test.skip(({ target }) => target !== 'web', 'The web project runs the ceremony page in Chromium; the electron project runs the real window below.')

  test('runs the passkey request on https://web.whatsapp.com and hands the answer to the core', async ({ browser }, testInfo) => {
    const irish = server()
    const passkey = newPasskey('15558880002')
    await registerPasskey(irish, passkey)
    const added = await api(irish, 'accounts:add', { label: 'Passkey on the desktop page' })
    await expect.poll(async () => (await api(irish, 'accounts:pairing', { id: added.id })).qr).not.toBeNull()
    const { qr } = await api(irish, 'accounts:pairing', { id: added.id })
    expect(await scanWithPhone(irish, qr!, passkey.phone)).toEqual({ passkey: 'required' })
    const required = await api(irish, 'accounts:pairing', { id: added.id })
    if (required.passkey?.phase !== 'required') throw new Error(`no passkey check: ${JSON.stringify(required)}`)
    const link = parseCeremonyUrl(required.passkey.ceremonyUrl)!

    const context = await browser.newContext({ viewport: DESKTOP, deviceScaleFactor: 1 })
    try {
      // What the desktop app's protocol handler answers: the page and its assets from the renderer build…
      await context.route('https://web.whatsapp.com/**', (route) => {
        const path = new URL(route.request().url()).pathname
        return route.fulfill({ path: join(RENDERER_OUT, path === '/' ? 'ceremony.html' : path.slice(1)) })
      })
      // …and the ceremony's routes, handed to the core (the app calls it in process; here its server does).
      await context.route('https://web.whatsapp.com/api/passkey-ceremony/**', async (route) => {
        const { origin: _origin, ...headers } = route.request().headers()
        const answer = await route.fetch({ url: `${irish.url}${new URL(route.request().url()).pathname}`, headers })
        await route.fulfill({ response: answer })
      })
      const page = await context.newPage()
      await holdPasskey(context, page, passkey)
      // The app loads the link without its server part: it answers the routes itself.
      await page.goto(`https://web.whatsapp.com/#irish-passkey=${link.token}`)
      const status = page.getByRole('status')
      await expect(status).toHaveText(/^Ready\. Press “Use the passkey”/)
      // The token left the address at once.
      expect(page.url()).toBe('https://web.whatsapp.com/')
      await screenshots(page, 'passkey-desktop-page-1-ready', testInfo)
      await expectNoSeriousViolations(page, 'the desktop ceremony page')
      await page.getByRole('button', { name: 'Use the passkey' }).click()
      await expect(status).toHaveText(/^Done\. Go back to Irish/)
      await screenshots(page, 'passkey-desktop-page-2-done', testInfo)

      const shown = await api(irish, 'accounts:pairing', { id: added.id })
      expect(shown.passkey).toEqual({ phase: 'confirm', code: await codeOnPhone(irish, passkey.phone) })
      await api(irish, 'accounts:passkey-confirm', { id: added.id })
      await expect.poll(async () => (await api(irish, 'accounts:list', {})).find((a) => a.id === added.id)?.status).toBe('connected')
    } finally {
      await context.close()
      await api(irish, 'accounts:remove', { id: added.id })
    }
  })
})

test.describe('the desktop app', () => {
  test.skip(({ target }) => target !== 'electron', 'The desktop app runs in the electron project.')

  test('"Verify with passkey" opens the ceremony window; its answer links the phone once the codes match', async ({ app }, testInfo) => {
    const { page } = app
    if (!app.electron) throw new Error('the electron target runs the desktop app')
    const invoke = <T>(command: string, input: unknown): Promise<T> =>
      page.evaluate(
        async ([name, body]) => {
          const result = await (globalThis as unknown as { irish: { invoke(c: string, i: unknown): Promise<Result<unknown>> } }).irish.invoke(name as string, body)
          if (!result.ok) throw new Error(result.error.message)
          return result.value
        },
        [command, input] as const,
      ) as Promise<T>
    // The desktop app's embedded simulator: its admin API takes no token.
    const admin = (await invoke<SimulatorInfo>('simulator:info', {})).admin!
    const passkey = newPasskey('15558880003')
    const registered = await fetch(`${admin}/passkey`, { method: 'POST', body: JSON.stringify({ phone: passkey.phone, credentialId: passkey.credentialId, publicKeyJwk: passkey.publicKeyJwk }) })
    expect(registered.status).toBe(200)

    await new AppShell(page).openAccounts()
    const dialog = await new AccountsPage(page).add('Passkey on the desktop')
    await expect(dialog.qrImage).toBeVisible()
    const id = (await invoke<AccountSummary[]>('accounts:list', {})).find((a) => a.label === 'Passkey on the desktop')!.id
    const { qr } = await invoke<PairingState>('accounts:pairing', { id })
    const scanned = await fetch(`${admin}/scan`, { method: 'POST', body: JSON.stringify({ qr, phone: passkey.phone }) })
    expect(await scanned.json()).toEqual({ passkey: 'required' })
    await expect(dialog.status).toHaveText('WhatsApp asks for a passkey')
    await screenshots(page, 'passkey-desktop-1-required', testInfo)

    const opening = app.electron.waitForEvent('window')
    await dialog.root.getByRole('button', { name: 'Verify with passkey' }).click()
    const ceremony = await opening
    expect(new URL(ceremony.url()).origin).toBe('https://web.whatsapp.com')
    await holdPasskey(ceremony.context(), ceremony, passkey)
    await expect(ceremony.getByRole('status')).toHaveText(/^Ready\./)
    await screenshots(ceremony, 'passkey-desktop-2-window', testInfo)
    const closed = ceremony.waitForEvent('close')
    await ceremony.getByRole('button', { name: 'Use the passkey' }).click()
    await closed

    const onPhone = (await (await fetch(`${admin}/passkey/confirmation?phone=${passkey.phone}`)).json()) as { code: string }
    await expect(dialog.root.getByLabel('Confirmation code')).toHaveText(onPhone.code)
    await screenshots(page, 'passkey-desktop-3-confirm', testInfo)
    await dialog.root.getByRole('button', { name: 'It matches my phone' }).click()
    await expect(dialog.status).toHaveText(`Connected as +${passkey.phone}.`)
    await dialog.done()
    expect(app.takeErrors()).toEqual([])
  })
})
