// Whether the bundles under out/ are missing or older than the sources they are built from. Used by
// ensure-build.mjs before `npm run serve` and `npm start`; a plain module so a test can point it at a
// folder of its own.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export const BUILD_OUTPUTS = ['out/main/server.js', 'out/preload/index.cjs', 'out/renderer/index.html']
export const BUILD_SOURCES = ['src', 'electron.vite.config.ts', 'package.json', 'tsconfig.node.json', 'tsconfig.web.json']

function newestMtime(path) {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  // Files only: a folder's own mtime moves when anything (an editor's swap file) comes or goes.
  let newest = 0
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)))
  return newest
}

/** Why `root` needs a build, or null when its build is current (or it has no src/ to build from). */
export function staleReason(root) {
  const missing = BUILD_OUTPUTS.find((p) => !existsSync(join(root, p)))
  if (missing) return `${missing} is missing`
  if (!existsSync(join(root, 'src'))) return null
  const built = Math.min(...BUILD_OUTPUTS.map((p) => statSync(join(root, p)).mtimeMs))
  const changed = Math.max(...BUILD_SOURCES.map((p) => newestMtime(join(root, p))))
  return changed > built ? 'the sources changed since the last build' : null
}
