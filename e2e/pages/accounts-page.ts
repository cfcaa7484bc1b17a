// The accounts list, one account card, and the add/pair dialog.

import { expect, type Locator, type Page } from '@playwright/test'

export class AccountsPage {
  readonly addButton: Locator
  readonly importButton: Locator
  readonly emptyState: Locator
  readonly list: Locator

  constructor(readonly page: Page) {
    this.addButton = page.getByRole('button', { name: 'Add account', exact: true })
    this.importButton = page.getByRole('button', { name: 'Import account', exact: true })
    this.emptyState = page.getByRole('heading', { name: 'No accounts yet' })
    this.list = page.getByRole('list').filter({ has: page.getByRole('article') })
  }

  card(label: string): AccountCard {
    return new AccountCard(this.page, label)
  }

  /** Opens the add dialog, names the account and creates it; returns the dialog showing its QR codes. */
  async add(label: string): Promise<PairingDialog> {
    await this.addButton.click()
    const dialog = new PairingDialog(this.page, 'Add an account')
    await expect(dialog.root).toBeVisible()
    await dialog.root.getByLabel('Label (optional)').fill(label)
    await dialog.root.getByRole('button', { name: 'Create and show QR code' }).click()
    return new PairingDialog(this.page, `Pair ${label}`)
  }

  /**
   * Shows the list as cards, whatever the accounts earlier specs left on the shared server: beyond
   * six the list opens as a table, and with none there is no choice to make. The choice lasts while
   * the page does.
   */
  async showCards(): Promise<void> {
    const cards = this.page.getByRole('group', { name: 'Show accounts as' }).getByRole('button', { name: 'Cards' })
    await expect(this.emptyState.or(cards)).toBeVisible()
    if (await cards.isVisible()) await cards.click()
  }

  /** Adds an account and pairs it with the simulator's scan; returns its card once it shows Connected. */
  async addConnected(label: string): Promise<AccountCard> {
    const dialog = await this.add(label)
    await expect(dialog.qrImage).toBeVisible()
    await dialog.simulateScan()
    await expect(dialog.status).toHaveText(/^Connected/)
    await dialog.done()
    await this.showCards()
    const card = this.card(label)
    await card.expectStatus('Connected')
    return card
  }
}

export class AccountCard {
  readonly root: Locator
  readonly status: Locator

  constructor(
    readonly page: Page,
    readonly label: string,
  ) {
    this.root = page.getByRole('article', { name: label, exact: true })
    this.status = this.root.locator('[data-status]')
  }

  button(verb: 'Start' | 'Stop' | 'Log out' | 'Remove' | 'Details for' | 'Show QR code for' | 'Take back' | 'Export'): Locator {
    return this.root.getByRole('button', { name: `${verb} ${this.label}`, exact: true })
  }

  async expectStatus(words: string): Promise<void> {
    await expect(this.status).toHaveText(words)
  }

  /** The phone number as the card shows it: "+15550000001". */
  async phone(): Promise<string> {
    const phone = this.root.locator('[data-field="phone"]')
    await expect(phone).toHaveText(/^\+\d+$/)
    return (await phone.textContent())!.trim()
  }
}

export class PairingDialog {
  readonly root: Locator
  readonly status: Locator
  readonly qrImage: Locator
  readonly countdown: Locator

  constructor(
    readonly page: Page,
    title: string,
  ) {
    this.root = page.getByRole('dialog', { name: title })
    this.status = this.root.getByRole('status')
    this.qrImage = this.root.getByRole('img', { name: /^QR code for / })
    this.countdown = this.root.getByRole('timer')
  }

  async simulateScan(): Promise<void> {
    await this.root.getByRole('button', { name: 'Simulate scan', exact: true }).click()
  }

  async done(): Promise<void> {
    await this.root.getByRole('button', { name: 'Done' }).click()
    await expect(this.root).toBeHidden()
  }
}

export class ConfirmDialog {
  readonly root: Locator

  constructor(page: Page, title: string) {
    this.root = page.getByRole('alertdialog', { name: title })
  }

  async confirm(label: string): Promise<void> {
    await this.root.getByRole('button', { name: label, exact: true }).click()
    await expect(this.root).toBeHidden()
  }
}
