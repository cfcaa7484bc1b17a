// `npm test`: type-check, lint, build, the unit and integration tests (vitest, inside a private keyring
// when gnome-keyring is installed), then the browser specs (Playwright). Every step runs even when an
// earlier one failed, except the specs after a failed build (they drive the build), so one failure
// never hides another; the exit code is 1 when any step failed. Ends with one line of totals.
// Without a Chromium the specs skip and say why; under IRISH_REQUIRE_ALL=1 or CI that is a failure.
// The totals line is followed by each failed test's name and the first line of its error, so the
// last lines of a long log (all a CI page may keep) say what failed.
import './require-node24.mjs'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { findChromium } from './find-chromium.mjs'
import { playwrightFailures, vitestFailures } from './test-reports.mjs'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const requireAll = process.env.IRISH_REQUIRE_ALL === '1' || Boolean(process.env.CI)
const reports = mkdtempSync(join(tmpdir(), 'irish-test-reports-'))
const steps = []
const totals = { passed: 0, failed: 0, skipped: 0 }
/** `file › test: first line of its error`, for each failed test. */
const failures = []

function run(name, script, args = [], env = {}) {
  process.stdout.write(`\n=== ${name}: npm run ${script} ${args.join(' ')}\n`)
  const started = Date.now()
  const result = spawnSync('npm', ['run', script, ...(args.length ? ['--', ...args] : [])], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } })
  const ok = result.status === 0
  steps.push({ name, outcome: ok ? 'passed' : `failed (exit ${result.status ?? result.signal})`, seconds: (Date.now() - started) / 1000 })
  return ok
}

function skip(name, why) {
  steps.push({ name, outcome: `skipped: ${why}`, seconds: 0 })
}

/**
 * Adds a report's counts to the totals and its failed tests to the list; a report that is missing
 * counts as nothing (its step failed).
 */
function count(file, read, failed) {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'))
    const counts = read(report)
    for (const key of Object.keys(totals)) totals[key] += counts[key]
    failures.push(...failed(report, ROOT))
  } catch {
    // The step's own outcome says what went wrong.
  }
}

try {
  run('type-check', 'typecheck')
  run('lint', 'lint')
  const built = run('build', 'build')

  const unitReport = join(reports, 'vitest.json')
  run('unit and integration tests', 'test:unit', ['--reporter=default', '--reporter=json', `--outputFile.json=${unitReport}`])
  count(unitReport, (r) => ({ passed: r.numPassedTests, failed: r.numFailedTests, skipped: r.numPendingTests + r.numTodoTests }), vitestFailures)

  const chromium = findChromium()
  if (!built) {
    skip('browser specs', 'the build failed, and they drive the build')
  } else if ('missing' in chromium && requireAll) {
    process.stdout.write(`\n=== browser specs: cannot run: ${chromium.missing}\n`)
    steps.push({ name: 'browser specs', outcome: `failed: ${chromium.missing} (IRISH_REQUIRE_ALL=1 or CI)`, seconds: 0 })
  } else if ('missing' in chromium) {
    process.stdout.write(`\n=== skipping the browser specs: ${chromium.missing}\n`)
    skip('browser specs', chromium.missing)
  } else {
    const e2eReport = join(reports, 'playwright.json')
    process.stdout.write(`\n=== browser specs in ${chromium.source}: ${chromium.executablePath}\n`)
    run('browser specs', 'test:e2e', [], { IRISH_E2E_SKIP_BUILD: '1', IRISH_E2E_JSON: e2eReport })
    count(e2eReport, (r) => ({ passed: r.stats.expected + r.stats.flaky, failed: r.stats.unexpected, skipped: r.stats.skipped }), playwrightFailures)
  }
} finally {
  rmSync(reports, { recursive: true, force: true })
}

process.stdout.write('\n=== npm test\n')
for (const step of steps) process.stdout.write(`  ${step.name}: ${step.outcome}${step.seconds ? ` (${step.seconds.toFixed(0)} s)` : ''}\n`)
const failed = steps.some((step) => step.outcome.startsWith('failed'))
process.stdout.write(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`)
for (const failure of failures) process.stdout.write(`  failed: ${failure}\n`)
process.exit(failed ? 1 : 0)
