// Runs before `npm run serve` and `npm start`, then exits: the server itself is one plain `node`
// process on out/main/server.js. Builds the bundles when they are missing or older than the sources
// (a fresh clone, or a `git pull`), so the server never runs stale code. Without src/ (an image that
// ships only out/), the build is taken as it is.
import './require-node24.mjs'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { staleReason } from './build-freshness.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const why = staleReason(root)
if (why) {
  process.stderr.write(`building first (${why}): npm run build\n`)
  // The build's progress goes to stderr: stdout belongs to the server's own lines.
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', 2, 'inherit'] })
  if (result.status !== 0) {
    process.stderr.write('error: the build failed; run `npm run build` to see why, then start again.\n')
    process.exit(result.status ?? 1)
  }
}
