// The accounts table: search, status filter, sortable columns, row selection and the bulk bar.

import { expect, type Locator, type Page } from '@playwright/test'

export class AccountsTablePage {
  readonly table: Locator
  readonly search: Locator
  readonly statusFilter: Locator
  readonly shownCount: Locator
  readonly bulkBar: Locator
  readonly selectAllShown: Locator
  readonly rows: Locator

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Accounts' })
    this.search = page.getByRole('searchbox', { name: 'Search' })
    this.statusFilter = page.getByRole('combobox', { name: 'Status' })
    this.shownCount = page.getByRole('search', { name: 'Find accounts' }).getByRole('status')
    this.bulkBar = page.getByRole('region', { name: 'Selected accounts' })
    this.selectAllShown = page.getByRole('checkbox', { name: 'Select all shown accounts' })
    this.rows = this.table.locator('tbody tr[data-account]')
  }

  async showAsTable(): Promise<void> {
    await this.page.getByRole('group', { name: 'Show accounts as' }).getByRole('button', { name: 'Table' }).click()
    await expect(this.table).toBeVisible()
  }

  row(label: string): Locator {
    return this.rows.filter({ has: this.page.getByRole('rowheader', { name: label }) })
  }

  rowById(id: string): Locator {
    return this.table.locator(`tbody tr[data-account="${id}"]`)
  }

  columnHeader(title: string): Locator {
    return this.table.getByRole('columnheader', { name: title })
  }

  async sortBy(title: string): Promise<void> {
    await this.columnHeader(title).getByRole('button').click()
  }

  bulk(action: 'Start' | 'Stop' | 'Log out…' | 'Export…' | 'Clear selection'): Locator {
    return this.bulkBar.getByRole('button', { name: action, exact: true })
  }

  /** The bulk bar's progress line: "Stopping: 3 of 10 done…", then "Stopped 10 of 10." */
  get bulkStatus(): Locator {
    return this.bulkBar.getByRole('status')
  }
}
