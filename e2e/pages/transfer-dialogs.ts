// The export dialog (one account, to a file or a server) and the import dialog (a bundle file or a
// Baileys folder), read through their roles and labels.

import { expect, type Download, type Locator, type Page } from '@playwright/test'

export class ExportDialog {
  readonly root: Locator
  readonly passphrase: Locator
  readonly confirmation: Locator
  readonly copyWarning: Locator
  readonly error: Locator
  readonly result: Locator

  constructor(
    readonly page: Page,
    readonly label: string,
  ) {
    this.root = page.getByRole('dialog', { name: `Export ${label}` })
    this.passphrase = this.root.getByLabel('Passphrase', { exact: true })
    this.confirmation = this.root.getByLabel('Confirm passphrase')
    this.copyWarning = this.root.getByRole('note', { name: 'Warning about copies' })
    this.error = this.root.getByRole('alert')
    this.result = this.root.getByRole('status')
  }

  destination(which: 'To a file' | 'To a server'): Locator {
    return this.root.getByRole('radio', { name: new RegExp(`^${which}`) })
  }

  mode(which: 'Move' | 'Copy'): Locator {
    return this.root.getByRole('radio', { name: new RegExp(`^${which}`) })
  }

  submitButton(): Locator {
    return this.root.getByRole('button', { name: /^(Export and stop here|Export a copy|Send to server)$/ })
  }

  /** Submits a file export and returns the download it starts. */
  async exportToFile(): Promise<Download> {
    const download = this.page.waitForEvent('download')
    await this.submitButton().click()
    return download
  }

  async done(): Promise<void> {
    await this.root.getByRole('button', { name: 'Done' }).click()
    await expect(this.root).toBeHidden()
  }
}

export class ImportDialog {
  readonly root: Locator
  readonly file: Locator
  readonly facts: Locator
  readonly conflict: Locator
  /** Shown when the bundle was exported as a copy: the original may still be running. */
  readonly copyNotice: Locator
  readonly replace: Locator
  readonly passphrase: Locator
  readonly label: Locator
  readonly start: Locator
  readonly error: Locator
  readonly submit: Locator
  /** The sticky footer (errors and buttons). By class: a layout part with no role of its own, used for geometry only. */
  readonly footer: Locator

  constructor(readonly page: Page) {
    this.root = page.getByRole('dialog', { name: 'Import an account' })
    this.footer = this.root.locator('.dialog-footer')
    this.file = this.root.getByLabel('Session bundle file')
    this.facts = this.root.getByRole('region', { name: 'Bundle contents' })
    this.conflict = this.root.getByRole('region', { name: 'Conflict with an account here' })
    this.copyNotice = this.root.getByRole('note', { name: 'This bundle is a copy' })
    this.replace = this.root.getByRole('checkbox', { name: /^Replace the account here/ })
    this.passphrase = this.root.getByLabel('Passphrase', { exact: true })
    this.label = this.root.getByLabel('Label (optional)')
    this.start = this.root.getByRole('checkbox', { name: 'Start it after the import' })
    this.error = this.root.getByRole('alert')
    this.submit = this.root.getByRole('button', { name: /^(Import|Importing…)$/ })
  }

  fact(field: 'phone' | 'name' | 'exported' | 'app-version' | 'keys'): Locator {
    return this.facts.locator(`[data-field="bundle-${field}"]`)
  }

  /** Chooses the bundle file and waits until its metadata shows. */
  async choose(path: string): Promise<void> {
    await this.file.setInputFiles(path)
    await expect(this.facts).toBeVisible()
  }

  async importWith(passphrase: string): Promise<void> {
    await this.passphrase.fill(passphrase)
    await this.root.getByRole('button', { name: 'Import', exact: true }).click()
  }

  async cancel(): Promise<void> {
    await this.root.getByRole('button', { name: 'Cancel' }).click()
    await expect(this.root).toBeHidden()
  }
}
