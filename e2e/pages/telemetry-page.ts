// The telemetry view: the time range, the account picker, the ranking, the key tables and the charts,
// read through their roles, names and captions.

import { expect, type Locator, type Page } from '@playwright/test'

export class TelemetryPage {
  readonly picker: Locator
  readonly scopeLine: Locator
  readonly ranking: Locator
  readonly keysPerAccount: Locator

  constructor(readonly page: Page) {
    this.picker = page.getByRole('combobox', { name: 'Find an account' })
    this.scopeLine = page.locator('.scope-line')
    this.ranking = page.getByRole('table', { name: /^Accounts ranked by/ })
    this.keysPerAccount = page.getByRole('table', { name: /^Signal keys per account/ })
  }

  chart(title: string | RegExp): Locator {
    return this.page.getByRole('figure', { name: title })
  }

  range(minutes: 1 | 5 | 15): Locator {
    return this.page.getByRole('radio', { name: `${minutes} min`, exact: true })
  }

  /** Picks an account by typing into the picker and choosing the option that carries `optionText`. */
  async find(query: string, optionText: string | RegExp): Promise<void> {
    await this.picker.fill(query)
    await this.page.getByRole('listbox', { name: 'Matching accounts' }).getByRole('option').filter({ hasText: optionText }).click()
  }

  /** Shows one account (by its label), or all of them. */
  async show(label: string): Promise<void> {
    if (label === 'All accounts') {
      await this.page.getByRole('button', { name: 'Show all accounts' }).click()
      await this.expectScope('all accounts')
      return
    }
    await this.find(label, label)
    await this.expectScope(label)
  }

  async expectScope(label: string): Promise<void> {
    await expect(this.scopeLine.locator('strong')).toHaveText(label)
  }

  /** The first body row of the ranking (row 0 is the header). */
  rankingRow(index: number): Locator {
    return this.ranking.getByRole('row').nth(index + 1)
  }

  /** Waits until the chart's caption reports at least one data point, and returns how many. */
  async expectDataPoints(title: string | RegExp): Promise<number> {
    const chart = this.chart(title)
    await expect(chart).toContainText(/[1-9]\d* data points?/)
    return this.dataPoints(title)
  }

  /** A tile's figure as a number ("12,920" → 12920); NaN while it shows "…". */
  async tileNumber(name: string): Promise<number> {
    const tile = this.page.locator('.tile').filter({ has: this.page.locator('dt', { hasText: name }) })
    const text = (await tile.locator('dd').textContent()) ?? ''
    return Number(text.replace(/[^\d.]/g, '') || NaN)
  }

  /** The time of the newest second a chart's caption reports ("newest second (7:42:56 PM, 1 s)"). */
  async newestSecond(title: string | RegExp): Promise<string | null> {
    const text = (await this.chart(title).locator('figcaption').textContent()) ?? ''
    return /newest second \(([^,]+),/.exec(text)?.[1] ?? null
  }

  async dataPoints(title: string | RegExp): Promise<number> {
    const text = (await this.chart(title).locator('figcaption').textContent()) ?? ''
    return Number(/(\d+) data point/.exec(text)?.[1] ?? 0)
  }
}
