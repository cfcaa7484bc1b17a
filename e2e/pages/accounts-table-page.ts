// The accounts table: search, views, status chips, sortable columns, row selection, row menus and the
// bulk bar.

import { expect, type Locator, type Page } from '@playwright/test'
import { scrollTo } from '../support/in-page'

export class AccountsTablePage {
  readonly table: Locator
  readonly search: Locator
  readonly chips: Locator
  readonly viewPicker: Locator
  readonly shownCount: Locator
  readonly bulkBar: Locator
  readonly selectAllMatching: Locator
  readonly rows: Locator
  readonly rowNote: Locator
  readonly window: Locator

  constructor(readonly page: Page) {
    this.table = page.getByRole('table', { name: 'Accounts' })
    this.search = page.getByRole('searchbox', { name: 'Search' })
    this.chips = page.getByRole('group', { name: 'Status' })
    this.viewPicker = page.getByRole('combobox', { name: 'View' })
    this.shownCount = page.locator('.shown-count')
    this.bulkBar = page.getByRole('region', { name: 'Selected accounts' })
    this.selectAllMatching = page.getByRole('checkbox', { name: /^Select all \d+ matching accounts$/ })
    this.rows = this.table.locator('tbody tr[data-account]')
    this.rowNote = page.locator('.row-note')
    this.window = page.locator('.table-window')
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

  /** A status chip by its words ("Connected", "QR expired"); its count follows them. */
  chip(label: string): Locator {
    return this.chips.getByRole('button', { name: new RegExp(`^${label} [\\d,]+$`) })
  }

  async chipCount(label: string): Promise<number> {
    const text = (await this.chip(label).textContent()) ?? ''
    return Number(text.replace(label, '').replace(/\D/g, ''))
  }

  /** Shows only these status groups (every other chip off). */
  async onlyChips(...labels: string[]): Promise<void> {
    await this.chips.getByRole('button', { name: /^All / }).click()
    for (const label of labels) await this.chip(label).click()
  }

  async chooseView(name: string): Promise<void> {
    await this.viewPicker.selectOption(name)
  }

  bulk(action: 'Start' | 'Stop' | 'Restart' | 'Log out…' | 'Tags…' | 'Export…' | 'Clear selection' | 'Unselect the hidden' | RegExp): Locator {
    return this.bulkBar.getByRole('button', { name: action, exact: typeof action === 'string' })
  }

  /** The bulk bar's progress line: "Stopping: 3 of 10 done…", then "Stopped 10 of 10." */
  get bulkStatus(): Locator {
    return this.bulkBar.locator('.bulk-report').getByRole('status')
  }

  get selectedCount(): Locator {
    return this.bulkBar.locator('.bulk-count')
  }

  /** Opens a row's actions menu and picks one. */
  async rowAction(row: Locator, label: string, action: string): Promise<void> {
    await row.getByRole('button', { name: `Actions for ${label}` }).click()
    await this.page.getByRole('menu', { name: `Actions for ${label}` }).getByRole('menuitem', { name: action, exact: true }).click()
  }

  /** Scrolls the table's window so the row at `index` (0 first, in the order shown) is drawn. */
  async scrollToIndex(index: number, rowHeight = 40): Promise<void> {
    await this.window.evaluate(scrollTo, Math.max(0, index * rowHeight - 80))
  }
}
