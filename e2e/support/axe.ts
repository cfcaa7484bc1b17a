// The accessibility check every view gets: axe-core on the page as it is, failing on any serious or
// critical violation with the rule, its help text and where it hit.

import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

export async function expectNoSeriousViolations(page: Page, context?: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze()
  const serious = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`)
  expect(serious, `serious or critical accessibility violations${context ? ` on ${context}` : ''}`).toEqual([])
}
