// One account's page: the send form and the received messages.

import { expect, type Locator, type Page } from '@playwright/test'

export class AccountDetailPage {
  readonly sendForm: Locator
  readonly messages: Locator
  readonly back: Locator

  constructor(
    readonly page: Page,
    readonly label: string,
  ) {
    this.sendForm = page.getByRole('form', { name: `Send a test message from ${label}` })
    this.messages = page.getByRole('log', { name: 'Received messages' })
    this.back = page.getByRole('button', { name: 'All accounts' })
  }

  async expectOpen(): Promise<void> {
    await expect(this.page.locator('#main-heading')).toHaveText(this.label)
  }

  async send(to: string, text: string): Promise<void> {
    await this.sendForm.getByLabel('To (phone number)').fill(to)
    await this.sendForm.getByLabel('Message').fill(text)
    await this.sendForm.getByRole('button', { name: 'Send message' }).click()
    await expect(this.sendForm.getByRole('status')).toHaveText(`Sent to ${to}.`)
  }
}
