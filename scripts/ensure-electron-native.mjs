// Runs before `npm run dev` (electron-vite dev): makes sure every native module the desktop app loads
// has a binary Electron can load, building an Electron copy into native/electron/ when one is needed and
// missing. With better-sqlite3 13 and keytar 7 (both Node-API) nothing is built. `--check` reports and
// exits non-zero when a build would be needed, without building.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { binaryKind, planElectronNative } from './electron-native.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const checkOnly = process.argv.includes('--check')
const say = (line) => process.stderr.write(`${line}\n`)

function electronVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version
  } catch {
    throw new Error('electron is not installed: run `npm ci` first.')
  }
}

/** Builds `name` for Electron in a staging copy, so node_modules keeps its Node build, and copies the binary out. */
async function buildElectronCopy(entry) {
  const version = electronVersion()
  const stage = join(root, 'native', 'electron', 'build')
  rmSync(stage, { recursive: true, force: true })
  const target = join(stage, 'node_modules', entry.name)
  const source = join(root, 'node_modules', entry.name)
  const skip = new Set(['build', 'prebuilds'].map((p) => join(source, p)))
  cpSync(source, target, { recursive: true, filter: (path) => !skip.has(path) })
  const pkg = JSON.parse(readFileSync(join(source, 'package.json'), 'utf8'))
  writeFileSync(join(stage, 'package.json'), JSON.stringify({ private: true, dependencies: { [entry.name]: pkg.version } }))
  // npm_config_nodedir points node-gyp at Node 24's headers (scripts/use-node24.sh): an Electron build
  // must fetch Electron's own headers instead.
  delete process.env.npm_config_nodedir
  say(`building ${entry.name} ${pkg.version} for Electron ${version} (one time, needs the internet for Electron's headers)…`)
  const { rebuild } = await import('@electron/rebuild')
  await rebuild({ buildPath: stage, electronVersion: version, onlyModules: [entry.name], force: true })
  const built = join(target, 'build', 'Release', basename(entry.copy))
  if (binaryKind(readFileSync(built)) === 'unknown') throw new Error(`the build of ${entry.name} produced no loadable module at ${built}`)
  mkdirSync(join(root, 'native', 'electron'), { recursive: true })
  cpSync(built, entry.copy)
  rmSync(stage, { recursive: true, force: true })
  say(`${entry.name}: Electron copy written to ${entry.copy}`)
}

const plan = planElectronNative(root)
let failed = false
for (const entry of plan) {
  if (entry.action === 'none') {
    say(entry.binary ? `${entry.name}: Node-API binary, loads in Electron as built by npm` : `${entry.name}: not installed (optional)`)
  } else if (entry.action === 'use-copy') {
    say(`${entry.name}: using the Electron copy ${entry.copy}`)
  } else if (entry.action === 'missing') {
    say(`error: ${entry.name} has no binary in node_modules; run \`npm ci\` (or \`npm rebuild ${entry.name}\`).`)
    failed = true
  } else if (entry.action === 'unsupported') {
    say(`warning: ${entry.name} at ${entry.binary} is not a Node-API build; the desktop app will report the keychain as unavailable.`)
  } else if (checkOnly) {
    say(`${entry.name}: ${entry.binary} is built for one runtime (${entry.kind}); an Electron copy is needed at ${entry.copy}.`)
    failed = true
  } else {
    try {
      await buildElectronCopy(entry)
    } catch (error) {
      say(`error: could not build ${entry.name} for Electron: ${error instanceof Error ? error.message : String(error)}`)
      failed = true
    }
  }
}
process.exit(failed ? 1 : 0)
