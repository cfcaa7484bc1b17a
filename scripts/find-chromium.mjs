// Which Chromium the Playwright specs drive (playwright.config.ts, scripts/run-tests.mjs): the one
// IRISH_CHROMIUM names; else Debian's /usr/bin/chromium when installed; else the headless shell that
// the @sparticuz/chromium dev dependency ships (brotli archives inside its npm package), unpacked once
// into node_modules/.cache/irish-chromium with the NSS libraries and fonts it needs, so `npm test`
// needs no system package. `node scripts/find-chromium.mjs` prints the choice as JSON.
// IRISH_TEST_NO_SYSTEM=chromium passes over Debian's (to try a machine without it).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SYSTEM_CHROMIUM = '/usr/bin/chromium'
const PACKAGED = join(ROOT, 'node_modules', '@sparticuz', 'chromium')
const UNPACKED = join(ROOT, 'node_modules', '.cache', 'irish-chromium')

/**
 * `{ executablePath, env, source }`, or `{ missing }` with the reason. `env` is what the browser's
 * process needs on top of the caller's (the packaged build's libraries and fonts).
 */
export function findChromium(env = process.env) {
  if (env.IRISH_CHROMIUM) {
    if (!existsSync(env.IRISH_CHROMIUM)) return { missing: `IRISH_CHROMIUM names ${env.IRISH_CHROMIUM}, which does not exist` }
    return { executablePath: env.IRISH_CHROMIUM, env: {}, source: 'IRISH_CHROMIUM' }
  }
  const ignoreSystem = (env.IRISH_TEST_NO_SYSTEM ?? '').split(',').map((s) => s.trim()).includes('chromium')
  if (!ignoreSystem && existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, env: {}, source: "Debian's chromium" }
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { missing: `no Chromium: install one and name it in IRISH_CHROMIUM (@sparticuz/chromium serves Linux x64 only)` }
  }
  if (!existsSync(join(PACKAGED, 'bin', 'chromium.br'))) {
    return { missing: 'no Chromium: neither /usr/bin/chromium (apt-get install chromium) nor @sparticuz/chromium in node_modules (npm ci)' }
  }
  const executablePath = join(UNPACKED, 'chromium')
  if (!existsSync(executablePath)) {
    // The package's own unpacking is asynchronous; the config that asks is not, so a child does it.
    const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--unpack'], { encoding: 'utf8', timeout: 120_000 })
    if (run.status !== 0 || !existsSync(executablePath)) {
      return { missing: `@sparticuz/chromium could not be unpacked: ${(run.stderr || run.error?.message || 'no reason given').trim()}` }
    }
  }
  return {
    executablePath,
    env: { LD_LIBRARY_PATH: [join(UNPACKED, 'al2023', 'lib'), env.LD_LIBRARY_PATH].filter(Boolean).join(':'), FONTCONFIG_FILE: join(UNPACKED, 'fonts.conf') },
    source: '@sparticuz/chromium (headless shell from npm)',
  }
}

/**
 * Unpacks the browser, the NSS libraries it links and its fonts into UNPACKED: into a folder of its
 * own first, renamed into place when complete, so a run cut short never leaves half a browser.
 */
async function unpack() {
  const partial = `${UNPACKED}.partial-${process.pid}`
  rmSync(partial, { recursive: true, force: true })
  mkdirSync(partial, { recursive: true })
  // The package unpacks into the temp folder; pointed at ours, nothing lands in (or is taken from) /tmp.
  process.env.TMPDIR = partial
  const { inflate } = await import(pathToFileURL(join(PACKAGED, 'build', 'lambdafs.js')).href)
  for (const archive of ['fonts.tar.br', 'al2023.tar.br', 'chromium.br']) await inflate(join(PACKAGED, 'bin', archive))
  if (!existsSync(join(partial, 'chromium'))) throw new Error(`nothing was unpacked at ${join(partial, 'chromium')}`)
  // Its own fonts.conf names /tmp/fonts; this one names where the fonts are.
  writeFileSync(
    join(partial, 'fonts.conf'),
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(UNPACKED, 'fonts')}</dir>\n  <cachedir>${join(UNPACKED, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
  )
  rmSync(UNPACKED, { recursive: true, force: true })
  renameSync(partial, UNPACKED)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--unpack')) {
    unpack().catch((error) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
      process.exit(1)
    })
  } else {
    process.stdout.write(`${JSON.stringify(findChromium())}\n`)
  }
}
