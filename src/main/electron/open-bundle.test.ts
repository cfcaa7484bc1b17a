import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { MAX_BUNDLE_BYTES } from '../../shared/channels'
import { events } from '../../shared/contract'
import { isAppError } from '../../shared/errors'
import { bundlePathFromArgv, readOpenedBundle } from './open-bundle'

describe('bundlePathFromArgv', () => {
  const cwd = resolve('/home/someone/Downloads')

  it('finds the bundle a packaged app was started with (Windows/Linux file association)', () => {
    expect(bundlePathFromArgv(['/opt/Irish Desktop/irish-desktop', '/home/someone/a.irishbundle'], cwd)).toBe('/home/someone/a.irishbundle')
  })

  it('resolves a relative path against the directory the (second) instance ran in', () => {
    expect(bundlePathFromArgv(['irish-desktop', 'phone.irishbundle'], cwd)).toBe(join(cwd, 'phone.irishbundle'))
  })

  it('skips switches, the executable and the development main script, and ignores the case of the extension', () => {
    const argv = ['electron', 'out/main/index.js', '--user-data-dir=/tmp/x', '--allow-file-access-from-files', 'Backup.IRISHBUNDLE']
    expect(bundlePathFromArgv(argv, cwd)).toBe(join(cwd, 'Backup.IRISHBUNDLE'))
  })

  it('returns null when no entry is a bundle, including a switch that merely ends in the extension', () => {
    expect(bundlePathFromArgv(['irish-desktop'], cwd)).toBeNull()
    expect(bundlePathFromArgv(['irish-desktop', 'notes.txt', '--open=x.irishbundle'], cwd)).toBeNull()
    expect(bundlePathFromArgv(['x.irishbundle'], cwd)).toBeNull()
    expect(bundlePathFromArgv([], cwd)).toBeNull()
  })

  it('takes the last bundle when several are named: the dialog imports one', () => {
    expect(bundlePathFromArgv(['app', '/a/first.irishbundle', '/a/second.irishbundle'], cwd)).toBe('/a/second.irishbundle')
  })
})

describe('readOpenedBundle', () => {
  let folder: string
  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'irish-open-bundle-'))
  })
  afterEach(() => rmSync(folder, { recursive: true, force: true }))

  async function refusal(path: string): Promise<{ code: string; message: string }> {
    try {
      await readOpenedBundle(path)
    } catch (error) {
      if (isAppError(error)) return { code: error.code, message: error.message }
      throw error
    }
    throw new Error('expected a refusal')
  }

  it('reads the file into the event the renderer opens its import dialog with', async () => {
    const bytes = Buffer.concat([Buffer.from('IRISHBDL', 'ascii'), Buffer.from([0, 1, 2, 255, 254])])
    const path = join(folder, 'phone.irishbundle')
    writeFileSync(path, bytes)
    const payload = await readOpenedBundle(bundlePathFromArgv(['irish-desktop', 'phone.irishbundle'], folder) ?? '')
    // What the contract lets through the event channel, byte for byte.
    expect(events['transfer:bundle-opened'].payload.parse(payload)).toEqual({ name: 'phone.irishbundle', base64: bytes.toString('base64') })
    expect(Buffer.from(payload.base64, 'base64').equals(bytes)).toBe(true)
  })

  it('refuses a missing file, a folder, an empty file and an oversized one with a clear error and no path', async () => {
    expect(await refusal(join(folder, 'gone.irishbundle'))).toEqual({
      code: 'invalid-input',
      message: 'gone.irishbundle could not be opened: it is not a readable file.',
    })
    mkdirSync(join(folder, 'dir.irishbundle'))
    expect((await refusal(join(folder, 'dir.irishbundle'))).message).toBe('dir.irishbundle could not be opened: it is not a readable file.')
    writeFileSync(join(folder, 'empty.irishbundle'), '')
    expect(await refusal(join(folder, 'empty.irishbundle'))).toEqual({ code: 'invalid-input', message: 'empty.irishbundle is empty: it is not a session bundle.' })
    // A sparse file: the size check happens before any read, so this costs no memory.
    const big = join(folder, 'big.irishbundle')
    writeFileSync(big, '')
    truncateSync(big, MAX_BUNDLE_BYTES + 1)
    expect(await refusal(big)).toEqual({ code: 'invalid-input', message: 'big.irishbundle is too large for a session bundle (at most 64 MB).' })
  })
})
