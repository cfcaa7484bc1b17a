// The frame around every view: navigation, banners, and screenshots of whatever is showing.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Locator, Page, TestInfo } from '@playwright/test'
import { ROOT } from '../support/build-renderer'

export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'screenshots')

export class AppShell {
  readonly nav: Locator
  readonly simulatorBanner: Locator
  readonly disconnectedBanner: Locator
  readonly heading: Locator

  constructor(readonly page: Page) {
    this.nav = page.getByRole('navigation', { name: 'Main' })
    this.simulatorBanner = page.getByRole('note', { name: 'Simulator in use' })
    this.disconnectedBanner = page.getByRole('alert').filter({ hasText: 'Disconnected from the server' })
    this.heading = page.locator('#main-heading')
  }

  async openAccounts(): Promise<void> {
    await this.nav.getByRole('link', { name: 'Accounts', exact: true }).click()
    await this.heading.filter({ hasText: 'Accounts' }).waitFor()
  }

  async openTelemetry(): Promise<void> {
    await this.nav.getByRole('link', { name: 'Telemetry' }).click()
    await this.heading.filter({ hasText: 'Telemetry' }).waitFor()
  }

  async openSettings(): Promise<void> {
    await this.nav.getByRole('link', { name: 'Settings' }).click()
    await this.heading.filter({ hasText: 'Settings' }).waitFor()
  }

  async openFleet(): Promise<void> {
    await this.nav.getByRole('link', { name: 'Fleet' }).click()
    await this.heading.filter({ hasText: 'Fleet' }).waitFor()
  }

  /** Saves a PNG under test-results/screenshots/ (stable names to look at) and attaches it to the report. */
  async screenshot(name: string, testInfo: TestInfo): Promise<string> {
    mkdirSync(SCREENSHOT_DIR, { recursive: true })
    const size = this.page.viewportSize()
    const file = join(SCREENSHOT_DIR, `${name}${size ? `-${size.width}x${size.height}` : ''}.png`)
    await this.page.screenshot({ path: file, fullPage: false })
    await testInfo.attach(name, { path: file, contentType: 'image/png' })
    return file
  }
}
