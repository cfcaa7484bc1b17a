// The API token in a browser: taken from the fragment and wiped from the address bar, never sent in a
// URL, kept for the tab only; a sign-in prompt without it or after a 401; and a banner while the
// event stream is down. Each test opens its own browser context.

import type { Page } from '@playwright/test'
import { AppShell } from './pages/app-shell'
import { SignInPage } from './pages/sign-in-page'
import { expect, server, test, watchErrors } from './support/fixtures'
import { localStorageSize, storedToken } from './support/in-page'

test.skip(({ target }) => target === 'electron', 'The Electron app has no token: it talks to its core over IPC.')

/** Every URL the page requests or opens a WebSocket to. */
function recordUrls(page: Page): string[] {
  const urls: string[] = []
  page.on('request', (request) => urls.push(request.url()))
  page.on('websocket', (ws) => urls.push(ws.url()))
  return urls
}

test('takes the token from the fragment, clears the address bar and never puts it in a URL', async ({ browser }, testInfo) => {
  const { url, token } = server()
  const context = await browser.newContext()
  const page = await context.newPage()
  const takeErrors = watchErrors(page)
  const urls = recordUrls(page)
  await page.goto(`${url}/#token=${token}`)
  await expect(page.locator('#main-heading')).toHaveText('Accounts')
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live')

  expect(page.url()).toBe(`${url}/`)
  expect(urls.length).toBeGreaterThan(0)
  for (const requested of urls) expect(requested).not.toContain(token)
  expect(await page.evaluate(storedToken)).toBe(token)
  expect(await page.evaluate(localStorageSize)).toBe(0)

  // A reload keeps the tab signed in from sessionStorage.
  await page.reload()
  await expect(page.locator('#main-heading')).toHaveText('Accounts')
  await new AppShell(page).screenshot('20-signed-in', testInfo)

  // Signing out forgets the token.
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect(new SignInPage(page).heading).toBeVisible()
  expect(await page.evaluate(storedToken)).toBeNull()
  expect(takeErrors()).toEqual([])
  await context.close()
})

test('asks for the token when there is none, refuses a wrong one, accepts the right one', async ({ browser }, testInfo) => {
  const { url, token } = server()
  const context = await browser.newContext()
  const page = await context.newPage()
  const takeErrors = watchErrors(page)
  await page.goto(`${url}/`)
  const signIn = new SignInPage(page)
  await expect(signIn.heading).toBeVisible()
  await expect(signIn.token).toBeFocused()
  await new AppShell(page).screenshot('21-sign-in', testInfo)

  await signIn.signIn('not-the-right-token-at-all')
  await expect(signIn.error).toHaveText('The server did not accept this token. Check that it is the current one.')
  await expect(signIn.token).toBeFocused()

  await signIn.signIn(token)
  await expect(page.locator('#main-heading')).toHaveText('Accounts')
  // The only console error allowed: Chromium's report of the refused attempt's 401.
  expect(takeErrors().filter((e) => !/status of 401/.test(e))).toEqual([])
  await context.close()
})

test('goes back to sign-in when the server stops accepting the token', async ({ browser }) => {
  const { url } = server()
  const context = await browser.newContext()
  const page = await context.newPage()
  const takeErrors = watchErrors(page)
  // A token the server never issued, as after a token rotation: the first command gets a 401.
  await page.goto(`${url}/#token=${'x'.repeat(32)}`)
  const signIn = new SignInPage(page)
  await expect(signIn.heading).toBeVisible()
  // The prompt says the link's token was the wrong one, not just "sign in".
  await expect(signIn.error).toHaveText(/^The server did not accept the token in the sign-in link/)
  expect(await page.evaluate(storedToken)).toBeNull()
  expect(takeErrors().filter((e) => !/status of 401|WebSocket/.test(e))).toEqual([])
  await context.close()
})

test('shows a banner while the event stream is down, and recovers', async ({ browser }, testInfo) => {
  const { url, token } = server()
  const context = await browser.newContext()
  const page = await context.newPage()
  let refuse = true
  // Stands between the page and the server's event stream: closes it while `refuse`, passes it through after.
  // The stream's address carries the page's topics after a "?" (docs/event-stream.md).
  await page.routeWebSocket(/\/api\/events(\?|$)/, (ws) => {
    if (refuse) {
      void ws.close({ code: 1011, reason: 'test: server unreachable' })
      return
    }
    ws.connectToServer()
  })
  await page.goto(`${url}/#token=${token}`)
  const shell = new AppShell(page)
  await expect(shell.disconnectedBanner).toBeVisible()
  await expect(shell.disconnectedBanner).toContainText(/Reconnecting/)
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Offline')
  await shell.screenshot('22-disconnected', testInfo)

  refuse = false
  await expect(shell.disconnectedBanner).toBeHidden({ timeout: 30_000 })
  await expect(page.getByRole('status', { name: 'Server connection' })).toHaveText('Live')
  await context.close()
})
