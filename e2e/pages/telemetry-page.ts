// The telemetry view: the scope picker and the charts, read through their captions.

import { expect, type Locator, type Page } from '@playwright/test'

export class TelemetryPage {
  readonly scope: Locator

  constructor(readonly page: Page) {
    this.scope = page.getByLabel('Show')
  }

  chart(title: string | RegExp): Locator {
    return this.page.getByRole('figure', { name: title })
  }

  async show(scopeLabel: string): Promise<void> {
    await this.scope.selectOption({ label: scopeLabel })
  }

  /** Waits until the chart's caption reports at least one data point, and returns how many. */
  async expectDataPoints(title: string | RegExp): Promise<number> {
    const chart = this.chart(title)
    await expect(chart).toContainText(/[1-9]\d* data points?/)
    const text = (await chart.locator('figcaption').textContent()) ?? ''
    return Number(/(\d+) data point/.exec(text)?.[1] ?? 0)
  }
}
