// What `npm test` prints under its totals: each failed test in the vitest and Playwright JSON
// reports, as `file › test: the first line of its error`.

/** The first line that says something, without colour codes, cut to one terminal line. */
function firstLine(message = '') {
  const plain = String(message).replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
  const line = plain.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '(no message)'
  return line.length > 160 ? `${line.slice(0, 157)}...` : line
}

/** Vitest's JSON report: files (absolute paths), each with its assertion results. */
export function vitestFailures(report, root = '') {
  return report.testResults.flatMap((file) => {
    const name = root && file.name.startsWith(root) ? file.name.slice(root.length) : file.name
    const failed = file.assertionResults.filter((t) => t.status === 'failed')
    const names = failed.map((t) => `${name} › ${t.fullName}: ${firstLine(t.failureMessages?.[0])}`)
    // A file that failed outside any test (an import error, a hook) has no failed test to name.
    return names.length === 0 && file.status === 'failed' ? [`${name}: ${firstLine(file.message)}`] : names
  })
}

/** Playwright's JSON report: a suite per file, nested suites per describe, specs holding one test per project. */
export function playwrightFailures(report) {
  const out = []
  const walk = (suite, path) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status !== 'unexpected') continue
        const error = test.results?.at(-1)?.error?.message
        out.push(`${spec.file} › [${test.projectName}] ${[...path, spec.title].join(' › ')}: ${firstLine(error)}`)
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...path, child.title])
  }
  for (const file of report.suites ?? []) walk(file, [])
  for (const error of report.errors ?? []) out.push(`(outside any test): ${firstLine(error.message)}`)
  return out
}
