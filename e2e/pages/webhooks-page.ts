// The webhooks view: the add form, the secret shown once, the endpoints table and the deliveries,
// read through their roles and names.

import type { Locator, Page } from '@playwright/test'

export class WebhooksPage {
  readonly address: Locator
  readonly secretInput: Locator
  readonly addButton: Locator
  readonly newSecret: Locator
  readonly endpoints: Locator
  readonly deliveries: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.address = page.getByLabel('Address')
    this.secretInput = page.getByLabel('Secret (optional)')
    this.addButton = page.getByRole('button', { name: 'Add webhook' })
    this.newSecret = page.getByRole('region', { name: 'New webhook secret' })
    this.endpoints = page.getByRole('table', { name: 'Webhook endpoints and their health' })
    this.deliveries = page.getByRole('list', { name: 'Deliveries' })
    this.error = page.getByRole('alert')
  }

  async open(): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Webhooks' }).click()
    await this.page.locator('#main-heading').filter({ hasText: 'Webhooks' }).waitFor()
  }

  async add(url: string, events: string[]): Promise<void> {
    await this.address.fill(url)
    for (const name of ['Messages received', 'Account status changes', 'Accounts removed', 'Pairing QR codes']) {
      await this.page.getByRole('checkbox', { name: new RegExp(`^${name}`) }).setChecked(events.includes(name))
    }
    await this.addButton.click()
  }

  /** The secret as the page shows it once. */
  async shownSecret(): Promise<string> {
    return (await this.newSecret.locator('code').textContent()) ?? ''
  }

  endpointRow(url: string): Locator {
    return this.endpoints.getByRole('row').filter({ hasText: url })
  }

  delivery(event: string): Locator {
    return this.deliveries.getByRole('listitem').filter({ hasText: event })
  }
}
