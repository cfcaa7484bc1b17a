// What a test needs from the machine beyond `npm ci` (PostgreSQL, a Secret Service, libsecret, a
// Chromium): when it is missing, the test skips and prints why; under IRISH_REQUIRE_ALL=1 (which
// .ci/run sets) or CI=true, the same absence fails the run, so CI proves every part. Test-only.

/** True where a missing part fails the run instead of skipping. */
export function requireAll(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.IRISH_REQUIRE_ALL === '1' || Boolean(env.CI)
}

/**
 * `problem` null: nothing missing, returns null. Otherwise prints "skipping <what>: <problem>" and
 * returns the problem (the caller skips), or throws where every part is required.
 */
export function skipReason(what: string, problem: string | null): string | null {
  if (problem === null) return null
  if (requireAll()) throw new Error(`${what} must run here (IRISH_REQUIRE_ALL=1 or CI), but ${problem}`)
  console.warn(`skipping ${what}: ${problem}`)
  return problem
}

/**
 * IRISH_TEST_NO_SYSTEM=postgresql,chromium,gnome-keyring: the tests pass over these system packages
 * even when installed, as on a machine that has only git, Node and npm.
 */
export function ignoresSystem(part: 'postgresql' | 'chromium' | 'gnome-keyring', env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.IRISH_TEST_NO_SYSTEM ?? '').split(',').map((s) => s.trim()).includes(part)
}
