// The Needs attention view (#/attention): one region per condition, each with its remedy.

import type { Locator, Page } from '@playwright/test'

export class AttentionPage {
  readonly heading: Locator
  readonly summary: Locator
  readonly navLink: Locator

  constructor(readonly page: Page) {
    this.heading = page.locator('#main-heading')
    this.summary = page.locator('.view-header [role="status"]')
    this.navLink = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Needs attention/ })
  }

  /** The group of accounts with this condition, found by its code. */
  group(code: string): Locator {
    return this.page.locator(`section.attention-group[data-condition="${code}"]`)
  }

  rows(code: string): Locator {
    return this.group(code).locator('tbody tr')
  }

  remedy(code: string): Locator {
    return this.group(code).getByRole('group', { name: /^What to do about/ })
  }
}
