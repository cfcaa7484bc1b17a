// The fleet view (#/fleet): the servers table, one row per server, or the single-server explanation.

import type { Locator, Page } from '@playwright/test'

export class FleetPage {
  readonly table: Locator
  readonly rows: Locator
  readonly summary: Locator
  readonly alone: Locator

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: /Each server/ })
    this.rows = this.table.locator('tbody tr')
    this.summary = page.locator('.view-summary')
    this.alone = page.getByRole('heading', { name: 'This server runs alone' })
  }

  row(serverId: string): Locator {
    return this.rows.filter({ has: this.page.getByRole('rowheader', { name: serverId }) })
  }

  heartbeat(serverId: string): Locator {
    return this.row(serverId).getByRole('cell').nth(1)
  }

  accounts(serverId: string): Locator {
    return this.row(serverId).getByRole('cell').nth(2)
  }

  state(serverId: string): Locator {
    return this.row(serverId).getByRole('cell').nth(3)
  }
}
