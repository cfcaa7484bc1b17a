// Named API tokens in the browser (docs/security.md, "Roles"): an admin adds a viewer token in Settings and
// sees it once; a page signed in with it shows neither the Tokens section nor the Audit view; the admin's
// audit view names the viewer's commands; a revoke sends the viewer's page back to the sign-in prompt.
// Axe on Settings and on the audit view.

import { randomBytes } from 'node:crypto'
import { ConfirmDialog } from './pages/accounts-page'
import { SignInPage } from './pages/sign-in-page'
import { expectNoSeriousViolations } from './support/axe'
import { expect, server, test, watchErrors } from './support/fixtures'

test.skip(({ target }) => target === 'electron', 'Signs in with several tokens over HTTP; the desktop window is the local admin over IPC.')
test.describe.configure({ mode: 'serial' })

// The global server is shared with other specs: a name of this run's own.
const name = `e2e-viewer-${randomBytes(3).toString('hex')}`
let viewerToken = ''

test.afterEach(({ app }) => {
  expect(app.takeErrors()).toEqual([])
})

test('an admin adds a viewer token in Settings and sees it once', async ({ app }) => {
  const page = app.page
  await expect(page.getByRole('note', { name: 'Signed in as' })).toHaveText('default (admin)')
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  const tokens = page.getByRole('table', { name: 'API tokens, their roles and accounts' })
  await expect(tokens.getByRole('row', { name: /default/ })).toContainText('Built in')
  await page.getByLabel('Name', { exact: true }).fill(name)
  await page.getByRole('radio', { name: /^viewer/ }).check()
  await page.getByRole('button', { name: 'Add token' }).click()
  const shown = page.getByRole('region', { name: 'New API token' })
  await expect(shown).toBeVisible()
  viewerToken = (await shown.locator('code').textContent()) ?? ''
  expect(viewerToken.length).toBeGreaterThanOrEqual(32)
  await expect(tokens.getByRole('row', { name: new RegExp(name) })).toContainText('viewer')
  await expect(tokens).not.toContainText(viewerToken)
  await expectNoSeriousViolations(page, 'Settings with the tokens')
})

test('a page signed in with the viewer token shows no tokens and no audit view; a revoke signs it out', async ({ app, browser }) => {
  const { url } = server()
  const context = await browser.newContext()
  const viewer = await context.newPage()
  const viewerErrors = watchErrors(viewer)
  await viewer.goto(`${url}/#token=${viewerToken}`)
  await expect(viewer.locator('#main-heading')).toHaveText('Accounts')
  // The page knows its role before anything is judged absent.
  await expect(viewer.getByRole('note', { name: 'Signed in as' })).toHaveText(`${name} (viewer)`)
  const nav = viewer.getByRole('navigation', { name: 'Main' })
  await nav.getByRole('link', { name: 'Settings' }).click()
  await expect(viewer.locator('#main-heading')).toHaveText('Settings')
  await expect(viewer.getByRole('heading', { name: 'Appearance' })).toBeVisible()
  await expect(viewer.getByRole('heading', { name: 'API tokens' })).toHaveCount(0)
  await expect(nav.getByRole('link', { name: 'Audit' })).toHaveCount(0)

  // The admin's audit view names the viewer's commands.
  const page = app.page
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit' }).click()
  await expect(page.locator('#main-heading')).toHaveText('Audit trail')
  await page.getByLabel('Actor').fill(name)
  const trail = page.getByRole('table', { name: 'Commands, newest first' })
  await expect(trail.getByRole('row', { name: /tokens:whoami/ }).first()).toContainText(name)
  await expect(trail).not.toContainText(viewerToken)
  await expectNoSeriousViolations(page, 'the audit view')

  // Revoked: the viewer's stream closes and its next request is refused, so its page asks to sign in.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click()
  await page.getByRole('button', { name: `Revoke ${name}` }).click()
  await new ConfirmDialog(page, `Revoke ${name}?`).confirm('Revoke token')
  await expect(page.getByRole('table', { name: 'API tokens, their roles and accounts' }).getByRole('row', { name: new RegExp(name) })).toHaveCount(0)
  await viewer.reload()
  await expect(new SignInPage(viewer).heading).toBeVisible()
  // The refused requests after the revoke are the browser's own 401 lines; nothing else went wrong.
  expect(viewerErrors().filter((e) => !/status of 401/.test(e))).toEqual([])
  await context.close()
})
