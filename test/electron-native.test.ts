// What `npm run dev` does about native modules before starting Electron (scripts/ensure-electron-native.mjs):
// the real binaries npm installed are recognised as Node-API (nothing to build), and a binary tied to one
// runtime's ABI asks for an Electron copy, or uses one already built. The build itself needs Electron's
// headers from the internet and cannot run here.
import { spawnSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { binaryKind, planElectronNative } from '../scripts/electron-native.mjs'

const ROOT = resolve(import.meta.dirname, '..')
const SQLITE_PREBUILD = join(ROOT, 'node_modules', 'better-sqlite3', 'prebuilds', `${process.platform}-${process.arch}.node`)

describe('native modules for Electron', () => {
  const made: string[] = []
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  /** A project folder whose better-sqlite3 binary has the given bytes, and no keytar. */
  function projectWith(sqliteBinary: Buffer): string {
    const root = mkdtempSync(join(tmpdir(), 'irish-native-'))
    made.push(root)
    const prebuilds = join(root, 'node_modules', 'better-sqlite3', 'prebuilds')
    mkdirSync(prebuilds, { recursive: true })
    writeFileSync(join(prebuilds, `${process.platform}-${process.arch}.node`), sqliteBinary)
    return root
  }

  it('reads the kind of a binary from its registration symbol', () => {
    expect(binaryKind(readFileSync(SQLITE_PREBUILD))).toBe('node-api')
    expect(binaryKind(Buffer.from('\0ELF\0node_register_module_v137\0'))).toBe('runtime-abi')
    expect(binaryKind(Buffer.from('\0ELF\0nothing to see\0'))).toBe('unknown')
  })

  it('needs no Electron build for the modules this project installs', () => {
    const plan = planElectronNative(ROOT)
    const sqlite = plan.find((entry) => entry.name === 'better-sqlite3')
    expect(sqlite).toMatchObject({ kind: 'node-api', action: 'none' })
    for (const entry of plan) expect(entry.action).toBe('none')
  })

  it('asks for an Electron copy of a runtime-bound better-sqlite3, and uses one once built', () => {
    const root = projectWith(Buffer.from('node_register_module_v137'))
    expect(planElectronNative(root).find((e) => e.name === 'better-sqlite3')).toMatchObject({ kind: 'runtime-abi', action: 'build' })
    mkdirSync(join(root, 'native', 'electron'), { recursive: true })
    cpSync(SQLITE_PREBUILD, join(root, 'native', 'electron', 'better_sqlite3.node'))
    expect(planElectronNative(root).find((e) => e.name === 'better-sqlite3')).toMatchObject({ action: 'use-copy' })
  })

  it('reports a missing required binary, and an absent optional keytar as nothing to do', () => {
    const root = mkdtempSync(join(tmpdir(), 'irish-native-'))
    made.push(root)
    const plan = planElectronNative(root)
    expect(plan.find((e) => e.name === 'better-sqlite3')).toMatchObject({ binary: null, action: 'missing' })
    expect(plan.find((e) => e.name === 'keytar')).toMatchObject({ binary: null, action: 'none' })
  })

  it('`--check` passes on this project and says why nothing is built', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'ensure-electron-native.mjs'), '--check'], { encoding: 'utf8' })
    expect(result.status).toBe(0)
    expect(result.stderr).toContain('better-sqlite3: Node-API binary')
  })
})
