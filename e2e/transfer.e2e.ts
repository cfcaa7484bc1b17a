// Moving sessions: export a paired account to a bundle file (a copy, then a move), see the import
// dialog read the bundle and name the conflict with the running account, import it back over the
// stopped account with "replace" (a wrong passphrase first), and take a moved account back. Creates
// its own accounts under unique labels, so it depends on no other spec. Screenshots go to
// test-results/screenshots/.

import { AccountsPage, ConfirmDialog } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { ExportDialog, ImportDialog } from './pages/transfer-dialogs'
import { expect, skipWithoutElectron, test } from './support/fixtures'
import { containsFocus, fitsWidth } from './support/in-page'

skipWithoutElectron()
// In the desktop app a download opens the native save dialog, which a test cannot answer.
test.skip(({ target }) => target === 'electron', 'Bundle downloads open a native save dialog in Electron.')
test.describe.configure({ mode: 'serial' })

const RUN = Math.random().toString(36).slice(2, 7)
const COPIED = `Transfer copy ${RUN}`
const MOVED = `Transfer move ${RUN}`
const PASSPHRASE = 'violet kettle harbour seventeen lantern meadow'
const WRONG_PASSPHRASE = 'violet kettle harbour eighteen lantern meadow'

/** Failed commands the browser logs as failed requests, expected by the test that provokes them. */
let expectedFailures: RegExp[] = []
/** The bundle the copy export saved, imported by the later tests. */
let copyBundle: string | null = null
let copiedPhone = ''

test.beforeEach(() => {
  expectedFailures = []
})

test.afterEach(async ({ app }) => {
  const errors = app.takeErrors().filter((e) => !expectedFailures.some((pattern) => pattern.test(e)))
  expect(errors, 'console errors on the page').toEqual([])
})

test('exports a connected account to a file as a copy, and it keeps running', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  await shell.openAccounts()
  const card = await accounts.addConnected(COPIED)
  copiedPhone = await card.phone()

  await card.button('Export').click()
  const dialog = new ExportDialog(app.page, COPIED)
  await expect(dialog.root).toBeVisible()
  await expect(dialog.destination('To a file')).toBeChecked()
  await expect(dialog.destination('To a file')).toBeFocused()
  // Copy by default: a backup stops nothing.
  await expect(dialog.mode('Copy')).toBeChecked()

  // The strength hint follows the typing; a too-short or mismatched passphrase is refused in the form.
  await dialog.passphrase.fill('short')
  await expect(dialog.passphrase).toHaveAccessibleDescription(/Too short/)
  await dialog.passphrase.fill(PASSPHRASE)
  await expect(dialog.passphrase).toHaveAccessibleDescription(/^(Good|Very strong)\./)
  await dialog.confirmation.fill(`${PASSPHRASE}!`)
  await dialog.submitButton().click()
  await expect(dialog.error).toHaveText(/The two passphrases differ/)
  await expect(dialog.confirmation).toBeFocused()
  await dialog.confirmation.fill(PASSPHRASE)

  // Copy warns about running both.
  await expect(dialog.copyWarning).toContainText('Never run both copies at once')
  await expect(dialog.copyWarning).toContainText('logs both out')
  await shell.screenshot('20-export-dialog-copy', testInfo)

  const download = await dialog.exportToFile()
  expect(download.suggestedFilename()).toMatch(/^irish-\d+-\d{8}-\d{6}\.irishbundle$/)
  copyBundle = testInfo.outputPath(download.suggestedFilename())
  await download.saveAs(copyBundle)
  await expect(dialog.result).toContainText(`Exported ${COPIED} to ${download.suggestedFilename()}`)
  await expect(dialog.root).toContainText('keeps running here')
  await expect(dialog.root.getByRole('button', { name: 'Done' })).toBeFocused()
  await shell.screenshot('21-export-dialog-saved', testInfo)
  await dialog.done()

  // A copy leaves the account running here (after one reconnect).
  await card.expectStatus('Connected')
  await expect(card.button('Export')).toBeVisible()
})

test('the import dialog reads the bundle, names the running account, and refuses it without replace', async ({ app }, testInfo) => {
  expect(copyBundle, 'the copy export saved a bundle').not.toBeNull()
  expectedFailures = [/status of 409/]
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)

  await accounts.importButton.click()
  const dialog = new ImportDialog(app.page)
  await expect(dialog.root).toBeVisible()
  await expect(dialog.root.getByRole('radio', { name: /^A bundle file/ })).toBeChecked()
  await expect(dialog.start).toBeChecked()
  await dialog.choose(copyBundle!)

  await expect(dialog.fact('phone')).toHaveText(copiedPhone)
  await expect(dialog.fact('name')).toHaveText(COPIED)
  await expect(dialog.fact('app-version')).toHaveText(/^\d+\.\d+\.\d+/)
  await expect(dialog.fact('keys')).toHaveText(/^[1-9][\d,]* in all/)
  await expect(dialog.fact('exported')).not.toBeEmpty()
  await expect(dialog.copyNotice).toContainText('may still be running where it came from')
  await expect(dialog.conflict).toContainText(`This phone is already here as “${COPIED}” (connected)`)
  await expect(dialog.replace).not.toBeChecked()
  await shell.screenshot('22-import-dialog-conflict', testInfo)

  await dialog.importWith(PASSPHRASE)
  await expect(dialog.error).toContainText('is already running here')
  // The dialog stays, and the replace box (the way out) has the focus.
  await expect(dialog.root).toBeVisible()
  await expect(dialog.replace).toBeFocused()
  await dialog.cancel()
  await accounts.card(COPIED).expectStatus('Connected')
})

test('the import dialog scrolls its fields under a footer that never covers them, at 1280x800 and 390x844', async ({ app }, testInfo) => {
  expect(copyBundle, 'the copy export saved a bundle').not.toBeNull()
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    await app.page.setViewportSize(viewport)
    await accounts.importButton.click()
    const dialog = new ImportDialog(app.page)
    // Tall: the bundle's facts, the copy notice and the conflict with the running account all show.
    await dialog.choose(copyBundle!)
    await expect(dialog.conflict).toBeVisible()
    // Once a file is chosen, nothing asks for one.
    await expect(dialog.footer).not.toContainText(/choose a/i)
    await expect(dialog.error).toHaveCount(0)
    // Each field, brought into view as Tab or a click would, sits fully above the footer, and the
    // footer stays inside the window: the body scrolls, the footer does not move over the inputs.
    for (const field of [dialog.passphrase, dialog.label, dialog.start]) {
      await field.scrollIntoViewIfNeeded()
      const [box, footer] = [await field.boundingBox(), await dialog.footer.boundingBox()]
      expect(box, 'the field has a box').not.toBeNull()
      expect(footer, 'the footer has a box').not.toBeNull()
      expect(box!.y + box!.height, `${viewport.width}x${viewport.height}: the field ends above the footer`).toBeLessThanOrEqual(footer!.y + 0.5)
      expect(footer!.y + footer!.height).toBeLessThanOrEqual(viewport.height)
    }
    await shell.screenshot('24-import-dialog-scrolled', testInfo)
    await dialog.cancel()
  }
  await app.page.setViewportSize({ width: 1280, height: 800 })
})

test('stops the account, then imports the bundle over it with replace: wrong passphrase first', async ({ app }, testInfo) => {
  expect(copyBundle, 'the copy export saved a bundle').not.toBeNull()
  expectedFailures = [/status of 400/]
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  const card = accounts.card(COPIED)
  await card.button('Stop').click()
  await card.expectStatus('Stopped')

  await accounts.importButton.click()
  const dialog = new ImportDialog(app.page)
  await dialog.choose(copyBundle!)
  await expect(dialog.conflict).toContainText(`“${COPIED}” (stopped)`)
  await dialog.replace.check()

  await dialog.importWith(WRONG_PASSPHRASE)
  await expect(dialog.error).toHaveText(/Wrong passphrase/)
  await expect(dialog.root).toBeVisible()
  await expect(dialog.passphrase).toBeFocused()
  await expect(dialog.replace).toBeChecked()
  await shell.screenshot('23-import-dialog-wrong-passphrase', testInfo)
  // The refusal was about the old text: it goes as soon as the passphrase changes, before any new try.
  await dialog.passphrase.fill(PASSPHRASE)
  await expect(dialog.error).toHaveCount(0)

  // The account ran on after the copy was exported: its creds here are newer, so the copy is allowed
  // as older state on purpose.
  await dialog.root.getByRole('checkbox', { name: /Allow older state/ }).check()
  await dialog.importWith(PASSPHRASE)
  await expect(dialog.root.getByRole('status')).toHaveText(`Imported ${COPIED} (${copiedPhone}).`)
  await expect(dialog.root.locator('[data-status]')).toHaveText('Connected')
  await dialog.root.getByRole('button', { name: 'Done' }).click()
  await expect(dialog.root).toBeHidden()

  // Replaced in place: still one card for that label, connected again.
  await expect(card.root).toHaveCount(1)
  await card.expectStatus('Connected')
})

test('exports as a move: the account shows Moved and where to, and "Take back…" brings it back', async ({ app }, testInfo) => {
  const shell = new AppShell(app.page)
  const accounts = new AccountsPage(app.page)
  const card = await accounts.addConnected(MOVED)

  await card.button('Export').click()
  const dialog = new ExportDialog(app.page, MOVED)
  // A move is chosen on purpose, and the button says what it does.
  await dialog.mode('Move').check()
  await expect(dialog.copyWarning).toHaveCount(0)
  await dialog.passphrase.fill(PASSPHRASE)
  await dialog.confirmation.fill(PASSPHRASE)
  await expect(dialog.submitButton()).toHaveText('Export and stop here')
  const download = await dialog.exportToFile()
  await download.saveAs(testInfo.outputPath(download.suggestedFilename()))
  await expect(dialog.root).toContainText('is stopped here and marked moved')
  await dialog.done()

  await card.expectStatus('Moved')
  const moved = card.root.getByRole('note', { name: `${MOVED} was moved` })
  await expect(moved).toContainText(`Moved to file ${download.suggestedFilename()}`)
  await expect(moved.locator('time')).toHaveText(/just now|seconds? ago/)
  await expect(card.status).toHaveAttribute('title', new RegExp(`^Moved to file ${download.suggestedFilename().replace(/\./g, '\\.')} on `))
  // A moved account neither starts nor exports without the operator taking it back.
  await expect(card.button('Start')).toHaveCount(0)
  await expect(card.button('Export')).toHaveCount(0)
  await card.root.scrollIntoViewIfNeeded()
  await shell.screenshot('24-moved-badge', testInfo)

  await card.button('Take back').click()
  const confirm = new ConfirmDialog(app.page, `Take back ${MOVED}?`)
  await expect(confirm.root).toContainText('two running copies')
  await expect(confirm.root.getByRole('button', { name: 'Cancel' })).toBeFocused()
  await shell.screenshot('25-take-back-confirm', testInfo)
  await confirm.confirm('Start here anyway')
  await card.expectStatus('Connected')
  await expect(moved).toHaveCount(0)
  await expect(card.button('Export')).toBeVisible()
})

test('the transfer dialogs work from the keyboard and fit 800x600', async ({ app }, testInfo) => {
  const page = app.page
  const shell = new AppShell(page)
  const accounts = new AccountsPage(page)
  const before = page.viewportSize()
  await page.setViewportSize({ width: 800, height: 600 })
  try {
    // Import: opened with Enter, Tab stays inside, the folder choice by arrow key, Escape closes.
    await accounts.importButton.focus()
    await page.keyboard.press('Enter')
    const dialog = new ImportDialog(page)
    await expect(dialog.root).toBeVisible()
    const bundleChoice = dialog.root.getByRole('radio', { name: /^A bundle file/ })
    await expect(bundleChoice).toBeFocused()
    await page.keyboard.press('ArrowDown')
    await expect(dialog.root.getByRole('radio', { name: /^A Baileys folder/ })).toBeChecked()
    await expect(dialog.root.getByRole('note', { name: 'About folders' })).toContainText('Stop the program that uses it first')
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab')
      expect(await dialog.root.evaluate(containsFocus)).toBe(true)
    }
    expect(await page.evaluate(fitsWidth)).toBe(true)
    await shell.screenshot('26-import-dialog-folder', testInfo)
    // A relative path is refused in the form, before the core is asked.
    await dialog.root.getByLabel('Folder path').fill('auth_info_baileys')
    await dialog.root.getByLabel('Folder path').press('Enter')
    await expect(dialog.error).toHaveText(/full path/)
    await expect(dialog.root.getByLabel('Folder path')).toBeFocused()
    await page.keyboard.press('Escape')
    await expect(dialog.root).toBeHidden()
    await expect(accounts.importButton).toBeFocused()

    // Export: the server choice from the keyboard, explained, and fits.
    const card = accounts.card(MOVED)
    await card.button('Export').focus()
    await page.keyboard.press('Enter')
    const exporting = new ExportDialog(page, MOVED)
    await expect(exporting.destination('To a file')).toBeFocused()
    await page.keyboard.press('ArrowDown')
    await expect(exporting.destination('To a server')).toBeChecked()
    await expect(exporting.root.getByRole('note', { name: 'What happens' })).toContainText('marked moved')
    await expect(exporting.root.getByLabel('Its API token')).toHaveAttribute('type', 'password')
    expect(await page.evaluate(fitsWidth)).toBe(true)
    await shell.screenshot('27-export-dialog-server', testInfo)
    await exporting.submitButton().click()
    await expect(exporting.error).toHaveText(/server's address/)
    await expect(exporting.root.getByLabel('Server address')).toBeFocused()
    await page.keyboard.press('Escape')
    await expect(exporting.root).toBeHidden()
    await expect(card.button('Export')).toBeFocused()
    await card.expectStatus('Connected')
  } finally {
    if (before) await page.setViewportSize(before)
  }
})
