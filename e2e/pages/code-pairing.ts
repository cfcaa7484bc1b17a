// The pairing dialog's two methods: the tabs, and the "Link with phone number" panel.

import { expect, type Locator } from '@playwright/test'
import type { PairingDialog } from './accounts-page'

export class PairingMethods {
  readonly tabs: Locator
  readonly qrTab: Locator
  readonly codeTab: Locator

  constructor(readonly dialog: PairingDialog) {
    this.tabs = dialog.root.getByRole('tablist', { name: 'How to pair' })
    this.qrTab = this.tabs.getByRole('tab', { name: 'Scan QR code' })
    this.codeTab = this.tabs.getByRole('tab', { name: 'Link with phone number' })
  }

  async chooseCode(): Promise<CodePanel> {
    await this.codeTab.click()
    await expect(this.codeTab).toHaveAttribute('aria-selected', 'true')
    return new CodePanel(this.dialog)
  }
}

export class CodePanel {
  readonly phone: Locator
  readonly code: Locator
  readonly countdown: Locator
  readonly copy: Locator
  readonly error: Locator

  constructor(readonly dialog: PairingDialog) {
    const root = dialog.root
    this.phone = root.getByLabel('Phone number of the phone that owns the account')
    this.code = root.getByLabel('Linking code')
    this.countdown = root.getByRole('timer', { name: 'Time left to enter the code' })
    this.copy = root.getByRole('button', { name: 'Copy the code' })
    this.error = root.getByRole('alert')
  }

  button(name: 'Get code' | 'New code' | 'Simulate entering the code'): Locator {
    return this.dialog.root.getByRole('button', { name, exact: true })
  }

  /** Types the number, asks for a code and returns it as shown (XXXX-XXXX). */
  async getCode(phone: string, button: 'Get code' | 'New code' = 'Get code'): Promise<string> {
    await this.phone.fill(phone)
    const before = (await this.code.count()) > 0 ? await this.code.textContent() : null
    await this.button(button).click()
    await expect(this.code).toHaveText(/^[1-9A-HJ-NP-TV-Z]{4}-[1-9A-HJ-NP-TV-Z]{4}$/)
    if (before) await expect(this.code).not.toHaveText(before)
    return (await this.code.textContent())!.trim()
  }
}
