// The sign-in prompt shown when the page has no (valid) API token.

import type { Locator, Page } from '@playwright/test'

export class SignInPage {
  readonly heading: Locator
  readonly token: Locator
  readonly submit: Locator
  readonly error: Locator

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'Sign in to Irish' })
    this.token = page.getByLabel('API token')
    this.submit = page.getByRole('button', { name: 'Sign in' })
    this.error = page.getByRole('alert')
  }

  async signIn(token: string): Promise<void> {
    await this.token.fill(token)
    await this.submit.click()
  }
}
