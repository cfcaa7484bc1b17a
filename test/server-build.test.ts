// The headless server as `npm run serve` runs it: the bundle out/main/server.js under plain node, one
// process, no tsx. And the freshness check that builds first when the bundle is missing or stale.
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir, totalmem } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BUILD_OUTPUTS, staleReason } from '../scripts/build-freshness.mjs'
import { HEAP_LIMIT_FLAG, heapLimitFlag } from '../src/main/server/heap-limit'
import { startServerProcess, type ServerProcess } from './support/server-process'

const ROOT = resolve(import.meta.dirname, '..')

/** V8's heap limit for a node started as the server is (this test process may run under other flags). */
function defaultHeapLimit(): number {
  const out = execFileSync(process.execPath, ['-p', 'require("node:v8").getHeapStatistics().heap_size_limit'])
  return Number(out.toString().trim())
}

describe('the server from its build', () => {
  let dataDir: string
  let server: ServerProcess

  beforeAll(async () => {
    // `npm test` builds before the unit tests; run on its own, this test needs `npm run build` first.
    const why = staleReason(ROOT)
    if (why) throw new Error(`out/ is not current (${why}): run \`npm run build\` before this test`)
    dataDir = mkdtempSync(join(tmpdir(), 'irish-server-build-'))
    server = await startServerProcess({ dataDir, entry: 'build' })
  })

  afterAll(async () => {
    await server?.stop()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
  })

  it('prints the ready line and answers the API', async () => {
    expect(server.stdout.at(-1)).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    expect(await server.value('accounts:list', {})).toEqual([])
  })

  it('is one node process running the bundle, with no launcher or child process', () => {
    const pid = server.child.pid!
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
    expect(argv[0]).toBe(process.execPath)
    // The entry replaced itself (same pid) with a heap limit from the machine's memory where V8's is lower.
    const flag = heapLimitFlag({ execArgv: [], nodeOptions: process.env.NODE_OPTIONS, totalMemory: totalmem(), currentLimit: defaultHeapLimit() })
    const script = argv.findIndex((arg) => arg.endsWith('out/main/server.js'))
    expect(argv.slice(1, script)).toEqual(flag ? [flag] : [])
    expect(resolve(ROOT, argv[script]!)).toBe(join(ROOT, 'out/main/server.js'))
    expect(argv.join(' ')).not.toContain('tsx')
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim()
    expect(children).toBe('')
  })

  it('says its heap limit at start, set from the machine memory where V8 default is lower', () => {
    const flag = heapLimitFlag({ execArgv: [], nodeOptions: process.env.NODE_OPTIONS, totalMemory: totalmem(), currentLimit: defaultHeapLimit() })
    const line = server.stdout.find((l) => l.startsWith('heap limit '))
    expect(line, server.stdout.join('\n')).toMatch(flag ? new RegExp(`\\(${flag}\\)$`) : /V8's default/)
  })

  it('is what `npm run serve`, `npm start` and the image run, with the heap limit given so that it need not start again', () => {
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts
    for (const name of ['serve', 'start']) {
      expect(scripts[name]).toMatch(new RegExp(`^node scripts/ensure-build\\.mjs && node ${HEAP_LIMIT_FLAG} out/main/server\\.js\\b`))
    }
    // And the image's entry point (not built here: no container runtime).
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toContain(`ENTRYPOINT ["node", "${HEAP_LIMIT_FLAG}", "out/main/server.js",`)
  })
})

describe('the bundle', () => {
  it('takes node:http through require, never as an ES module (src/main/node-http.ts says why)', () => {
    const files = readdirSync(join(ROOT, 'out/main'), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.js'))
    expect(files).toContain('server.js')
    const importers = files.filter((file) => /\bfrom\s*["'](node:)?http["']|import\(\s*["'](node:)?http["']\s*\)/.test(readFileSync(join(ROOT, 'out/main', file), 'utf8')))
    expect(importers).toEqual([])
  })
})

describe('the compile cache', () => {
  it('is kept beside the bundle, never under /tmp, readable by its owner only, and read by the next start', async () => {
    const cache = join(ROOT, 'out/main/.compile-cache')
    const dataDirs: string[] = []
    // Node's own account of its compile cache, on stderr. Each start on a data dir of its own: a first start.
    const start = async (): Promise<ServerProcess> => {
      const dataDir = mkdtempSync(join(tmpdir(), 'irish-server-cache-'))
      dataDirs.push(dataDir)
      const server = await startServerProcess({ dataDir, entry: 'build', nodeArgs: [HEAP_LIMIT_FLAG], env: { NODE_DEBUG_NATIVE: 'COMPILE_CACHE' } })
      await server.stop()
      return server
    }
    try {
      await start()
      const said = (await start()).stderr.join('')
      expect(said).toContain(`resolved path ${cache}/`)
      // Not Node's default place, shared by every user of the machine.
      expect(said).not.toContain(join(tmpdir(), 'node-compile-cache'))
      // The server's own chunks, compiled by the start before, are not compiled again.
      expect(said).toMatch(/V8 code cache for ESM file:\/\/\S*\/out\/main\/chunks\/cli-\S+\.js was accepted/)
      for (const version of readdirSync(cache)) {
        for (const file of readdirSync(join(cache, version))) {
          // Another test's server may be renaming its temporary file into place meanwhile.
          const stat = statSync(join(cache, version, file), { throwIfNoEntry: false })
          if (stat) expect(stat.mode & 0o077, file).toBe(0)
        }
      }
    } finally {
      for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('the server as `npm run serve` starts it', () => {
  it('runs with the heap limit it was given, without starting itself again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'irish-server-serve-'))
    const server = await startServerProcess({ dataDir, entry: 'build', nodeArgs: [HEAP_LIMIT_FLAG] })
    try {
      const pid = server.child.pid!
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)
      // A restart would have put its own flag in front of the one given.
      expect(argv.slice(1, argv.findIndex((arg) => arg.endsWith('out/main/server.js')))).toEqual([HEAP_LIMIT_FLAG])
      expect(server.stdout.find((line) => line.startsWith('heap limit '))).toMatch(new RegExp(`\\(${HEAP_LIMIT_FLAG}\\)$`))
    } finally {
      await server.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('build freshness', () => {
  let root: string
  const write = (path: string, mtimeSeconds: number): void => {
    const file = join(root, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, path)
    utimesSync(file, mtimeSeconds, mtimeSeconds)
  }

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'irish-freshness-'))
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('asks for a build when an output is missing, when a source is newer, and not otherwise', () => {
    write('src/main/server/cli.ts', 1_000)
    expect(staleReason(root)).toBe('out/main/server.js is missing')
    for (const output of BUILD_OUTPUTS) write(output, 2_000)
    expect(staleReason(root)).toBeNull()
    write('src/shared/contract.ts', 3_000)
    expect(staleReason(root)).toBe('the sources changed since the last build')
    for (const output of BUILD_OUTPUTS) write(output, 4_000)
    expect(staleReason(root)).toBeNull()
  })

  it('takes a build as it is when there are no sources to build from', () => {
    rmSync(join(root, 'src'), { recursive: true })
    write('package.json', 9_000)
    expect(staleReason(root)).toBeNull()
  })
})
