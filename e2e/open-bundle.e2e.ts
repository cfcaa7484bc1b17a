// Opening an .irishbundle with the desktop app (the file association passes it on the command line):
// the app starts with the import dialog open on that file, which it inspects like a picked one. The file
// here is not a bundle, so the dialog names it and says why it cannot be imported; importing a real
// bundle is transfer.e2e.ts's story. Desktop only: a browser is never handed a file by the OS.

import { _electron } from '@playwright/test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImportDialog } from './pages/transfer-dialogs'
import { electronLaunchOptions, expect, skipWithoutElectron, test } from './support/fixtures'

skipWithoutElectron()
test.skip(({ target }) => target === 'web', 'Only the desktop app is handed files by the OS.')

test('an .irishbundle on the command line opens the import dialog with that file', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'irish-e2e-open-'))
  const bundle = join(folder, 'not-a-bundle.irishbundle')
  writeFileSync(bundle, 'this is not a session bundle')
  const app = await _electron.launch(electronLaunchOptions(join(folder, 'user-data'), [bundle]))
  try {
    const dialog = new ImportDialog(await app.firstWindow())
    await expect(dialog.root).toBeVisible()
    await expect(dialog.root.getByRole('alert')).toContainText('not-a-bundle.irishbundle cannot be imported')
  } finally {
    await app.close()
    rmSync(folder, { recursive: true, force: true })
  }
})
