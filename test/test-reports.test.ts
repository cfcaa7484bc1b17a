// The lines `npm test` prints under its totals for each failed test, read from the two JSON reports.
import { describe, expect, it } from 'vitest'
import { playwrightFailures, vitestFailures } from '../scripts/test-reports.mjs'

describe('failed tests named from the reports', () => {
  it('names each failed vitest test with its file and the first line of its error, and a file that failed outside its tests', () => {
    const report = {
      testResults: [
        {
          name: '/repo/test/a.test.ts',
          status: 'failed',
          assertionResults: [
            { fullName: 'a passes', status: 'passed', failureMessages: [] },
            { fullName: 'a › waits for the server', status: 'failed', failureMessages: ['\u001b[31mAssertionError: expected 2 to be 3\u001b[39m\n    at x.ts:1'] },
          ],
        },
        { name: '/repo/test/b.test.ts', status: 'failed', message: '\nCannot find module ./gone', assertionResults: [] },
        { name: '/repo/test/c.test.ts', status: 'passed', assertionResults: [{ fullName: 'c', status: 'passed' }] },
      ],
    }
    expect(vitestFailures(report, '/repo/')).toEqual([
      'test/a.test.ts › a › waits for the server: AssertionError: expected 2 to be 3',
      'test/b.test.ts: Cannot find module ./gone',
    ])
  })

  it('names each unexpected Playwright result with its describe path and project, and cuts a long error', () => {
    const long = `Error: ${'x'.repeat(300)}`
    const report = {
      suites: [
        {
          title: 'telemetry.e2e.ts',
          file: 'telemetry.e2e.ts',
          specs: [{ title: 'top level', file: 'telemetry.e2e.ts', tests: [{ projectName: 'web', status: 'expected', results: [{}] }] }],
          suites: [
            {
              title: 'with 200 accounts',
              file: 'telemetry.e2e.ts',
              specs: [
                {
                  title: 'the ranking',
                  file: 'telemetry.e2e.ts',
                  tests: [
                    { projectName: 'web', status: 'unexpected', results: [{ error: { message: 'Test timeout of 180000ms exceeded.' } }] },
                    { projectName: 'electron', status: 'skipped', results: [] },
                  ],
                },
              ],
            },
          ],
        },
      ],
      errors: [{ message: long }],
    }
    const lines = playwrightFailures(report)
    expect(lines[0]).toBe('telemetry.e2e.ts › [web] with 200 accounts › the ranking: Test timeout of 180000ms exceeded.')
    expect(lines[1]).toMatch(/^\(outside any test\): Error: x+\.\.\.$/)
    expect(lines[1]!.length).toBeLessThan(200)
    expect(lines).toHaveLength(2)
  })
})
