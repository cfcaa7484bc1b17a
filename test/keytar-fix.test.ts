// The fix the missing-keychain message names (key-vault.ts) works: on a machine without libsecret's
// headers, npm installs the project without keytar (an optional dependency whose build failed); once
// they are there, `npm install keytar` brings it back, and a rebuild would not (npm left nothing to
// rebuild). Run for real with npm, in a small project with this one's keytar, Node 24 and .npmrc.
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { skipReason } from './support/requirements'

const ROOT = resolve(import.meta.dirname, '..')

function libsecretProblem(): string | null {
  const found = spawnSync('pkg-config', ['--exists', 'libsecret-1'])
  if (found.error) return 'pkg-config is not installed (apt-get install libsecret-1-dev brings it)'
  return found.status === 0 ? null : 'libsecret-1-dev is not installed (apt-get install libsecret-1-dev)'
}

describe.skipIf(skipReason('the keytar fix test', libsecretProblem()) !== null)('a keytar left out by npm', () => {
  const project = mkdtempSync(join(tmpdir(), 'irish-keytar-fix-'))
  afterAll(() => rmSync(project, { recursive: true, force: true }))

  const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>
    devDependencies: Record<string, string>
    allowScripts: Record<string, boolean>
  }
  const manifest = `${JSON.stringify(
    {
      name: 'keytar-fix',
      version: '1.0.0',
      private: true,
      optionalDependencies: { keytar: own.optionalDependencies.keytar },
      devDependencies: { 'irish-node24': own.devDependencies['irish-node24'] },
      allowScripts: { keytar: own.allowScripts.keytar },
    },
    null,
    2,
  )}\n`
  writeFileSync(join(project, 'package.json'), manifest)
  cpSync(join(ROOT, '.npmrc'), join(project, '.npmrc'))
  cpSync(join(ROOT, 'tools', 'node24'), join(project, 'tools', 'node24'), { recursive: true })

  function npm(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
    const run = spawnSync('npm', [...args, '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: project,
      env: { ...process.env, PWD: project, ...env },
      encoding: 'utf8',
      timeout: 240_000,
    })
    return { status: run.status, output: `${run.stdout}${run.stderr}` }
  }

  /** Whether keytar loads in the project's Node 24 (node_modules/.bin/node, as npm scripts run). */
  function keytarLoads(): boolean {
    const node = join(project, 'node_modules', '.bin', 'node')
    return spawnSync(existsSync(node) ? node : process.execPath, ['-e', "require('keytar')"], { cwd: project }).status === 0
  }

  it('is left out, not failed, when libsecret is missing at install', () => {
    // PKG_CONFIG_LIBDIR pointing nowhere: pkg-config finds no libsecret-1, as on a machine without it.
    const install = npm(['install'], { PKG_CONFIG_LIBDIR: '/nonexistent' })
    expect(install.status, install.output).toBe(0)
    expect(keytarLoads()).toBe(false)
    expect(npm(['rebuild', 'keytar']).status).toBe(0)
    expect(keytarLoads(), 'a rebuild has nothing to rebuild: npm removed keytar').toBe(false)
  }, 300_000)

  it('comes back with `npm install keytar` once libsecret is there, leaving package.json as it was', () => {
    const fix = npm(['install', 'keytar'])
    expect(fix.status, fix.output).toBe(0)
    expect(keytarLoads()).toBe(true)
    expect(readFileSync(join(project, 'package.json'), 'utf8')).toBe(manifest)
  }, 300_000)
})
