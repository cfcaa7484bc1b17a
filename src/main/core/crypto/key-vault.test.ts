// Key vault tests. The keychain tests use real keytar against a real gnome-keyring: run them with
// `sh scripts/with-keyring.sh npx vitest run src/main/core/crypto`. The failure-mapping tests start
// their own D-Bus sessions in child processes, so they are real too, and need no outer session.

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { skipReason } from '../../../../test/support/requirements'
import { AppError } from '../../../shared/errors'
import {
  type KeytarLike,
  decodeDataKey,
  envVault,
  fileVault,
  generateEncodedDataKey,
  keychainVault,
  resolveKeyVault,
} from './key-vault'

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url))
const KEY_VAULT_URL = pathToFileURL(fileURLToPath(new URL('./key-vault.ts', import.meta.url))).href
const IN_KEYRING_SESSION = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS)

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a rejection')
}

function thrown(fn: () => unknown): AppError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(AppError)
    return error as AppError
  }
  throw new Error('expected a throw')
}

describe('decodeDataKey', () => {
  it('accepts the canonical base64 of 32 bytes, ignoring surrounding whitespace', () => {
    const bytes = randomBytes(32)
    expect(decodeDataKey(`${bytes.toString('base64')}\n`)?.equals(bytes)).toBe(true)
  })

  it('rejects other lengths, other alphabets and non-canonical encodings', () => {
    expect(decodeDataKey(randomBytes(31).toString('base64'))).toBeNull()
    expect(decodeDataKey(randomBytes(33).toString('base64'))).toBeNull()
    expect(decodeDataKey(randomBytes(32).toString('hex'))).toBeNull()
    expect(decodeDataKey(randomBytes(32).toString('base64url'))).toBeNull()
    // 'B' instead of 'A' before '=' sets a stray low bit that Buffer.from would silently drop.
    expect(decodeDataKey(`${'A'.repeat(42)}B=`)).toBeNull()
    expect(decodeDataKey(`${'A'.repeat(42)}A=`)).not.toBeNull()
    expect(decodeDataKey('')).toBeNull()
  })
})

describe('envVault', () => {
  it('returns the key it was given, as a fresh copy each time', async () => {
    const encoded = generateEncodedDataKey()
    const vault = envVault(encoded)
    const first = await vault.getDataKey()
    expect(first.toString('base64')).toBe(encoded)
    first.fill(0)
    expect((await vault.getDataKey()).toString('base64')).toBe(encoded)
    expect(vault.describe()).toBe('environment variable IRISH_DATA_KEY')
  })

  it('refuses a wrong length or format with invalid-input, without echoing the value', () => {
    for (const bad of [randomBytes(16).toString('base64'), `${generateEncodedDataKey()}x`, 'not a key', '']) {
      const error = thrown(() => envVault(bad))
      expect(error.code).toBe('invalid-input')
      expect(error.message).toContain('IRISH_DATA_KEY')
      expect(error.message).toContain('32 bytes')
      if (bad.length > 0) expect(error.message).not.toContain(bad)
    }
  })
})

describe('fileVault', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'key-vault-test-'))
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a key file readable by group or others, naming the chmod fix', async () => {
    const path = join(dir, 'open.key')
    const encoded = generateEncodedDataKey()
    await writeFile(path, `${encoded}\n`)
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      await chmod(path, mode)
      const error = await rejection(fileVault(path).getDataKey())
      expect(error.code).toBe('key-unavailable')
      expect(error.message).toContain(`chmod 600 ${path}`)
      expect(error.message).toContain(`0${mode.toString(8)}`)
      expect(error.message).not.toContain(encoded)
    }
  })

  it('accepts a 0600 key file', async () => {
    const path = join(dir, 'good.key')
    const encoded = generateEncodedDataKey()
    await writeFile(path, `${encoded}\n`, { mode: 0o600 })
    await chmod(path, 0o600)
    const vault = fileVault(path)
    expect((await vault.getDataKey()).toString('base64')).toBe(encoded)
    expect(vault.describe()).toBe(`key file ${path}`)
  })

  it('refuses a 0600 file that does not hold a valid key, without echoing it', async () => {
    const path = join(dir, 'short.key')
    const short = randomBytes(20).toString('base64')
    await writeFile(path, short, { mode: 0o600 })
    const error = await rejection(fileVault(path).getDataKey())
    expect(error.code).toBe('key-unavailable')
    expect(error.message).toContain('32 bytes')
    expect(error.message).not.toContain(short)
  })

  it('does not create a missing file unless asked, and says how to make one', async () => {
    const path = join(dir, 'missing.key')
    const error = await rejection(fileVault(path).getDataKey())
    expect(error.code).toBe('key-unavailable')
    expect(error.message).toContain('does not exist')
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' })
  })

  it('creates a missing file with mode 0600 and a valid key, which a second vault reads back', async () => {
    const path = join(dir, 'created.key')
    const key = await fileVault(path, { create: true }).getDataKey()
    expect(key.length).toBe(32)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(decodeDataKey(await readFile(path, 'utf8'))?.equals(key)).toBe(true)
    expect((await fileVault(path).getDataKey()).equals(key)).toBe(true)
  })

  it('creates exactly one key when several vaults race to create the same file', async () => {
    const path = join(dir, 'raced.key')
    const keys = await Promise.all(Array.from({ length: 8 }, () => fileVault(path, { create: true }).getDataKey()))
    for (const key of keys) expect(key.equals(keys[0]!)).toBe(true)
  })
})

describe('resolveKeyVault', () => {
  // A keytar stand-in that records use: resolving must never touch the keychain by itself.
  const untouchable: KeytarLike = {
    getPassword: () => Promise.reject(new Error('keychain touched')),
    setPassword: () => Promise.reject(new Error('keychain touched')),
  }

  it('prefers IRISH_DATA_KEY over a key file and the keychain', async () => {
    const encoded = generateEncodedDataKey()
    const vault = resolveKeyVault({
      env: { IRISH_DATA_KEY: encoded, IRISH_DATA_KEY_FILE: '/nonexistent/key' },
      keyFile: '/nonexistent/key',
      preferKeychain: true,
      keychain: { keytar: untouchable },
    })
    expect(vault.describe()).toBe('environment variable IRISH_DATA_KEY')
    expect((await vault.getDataKey()).toString('base64')).toBe(encoded)
  })

  it('uses the key file next: the explicit path first, then IRISH_DATA_KEY_FILE', () => {
    expect(resolveKeyVault({ env: { IRISH_DATA_KEY_FILE: '/b' }, keyFile: '/a', preferKeychain: true }).describe()).toBe('key file /a')
    expect(resolveKeyVault({ env: { IRISH_DATA_KEY_FILE: '/b' }, preferKeychain: true }).describe()).toBe('key file /b')
  })

  it('falls to the keychain only when preferred, without touching it', () => {
    const vault = resolveKeyVault({ env: {}, preferKeychain: true, keychain: { keytar: untouchable } })
    expect(vault.describe()).toBe('OS keychain (service irish-desktop, account data-key)')
  })

  it('has no plaintext fallback: no source is an error naming the ways to give one', () => {
    const error = thrown(() => resolveKeyVault({ env: {}, preferKeychain: false }))
    expect(error.code).toBe('key-unavailable')
    expect(error.message).toContain('IRISH_DATA_KEY')
    expect(error.message).toContain('0600')
  })

  it('treats a set but invalid IRISH_DATA_KEY as an error, not as a reason to try the next source', () => {
    expect(thrown(() => resolveKeyVault({ env: { IRISH_DATA_KEY: '' }, keyFile: '/a', preferKeychain: true })).code).toBe('invalid-input')
  })
})

// ---------------------------------------------------------------------------------------------------
// Real keychain

/** Why keytar cannot load here, or null. */
function keytarProblem(): string | null {
  try {
    createRequire(import.meta.url)('keytar')
    return null
  } catch {
    return 'keytar is not installed: its native build needs libsecret-1-dev when `npm ci` runs (apt-get install libsecret-1-dev, then `npm install keytar`)'
  }
}

/** Why the real keychain cannot be used here, or null. */
function keychainProblem(): string | null {
  if (process.env.IRISH_NO_KEYRING) return process.env.IRISH_NO_KEYRING
  const keytar = keytarProblem()
  if (keytar) return keytar
  if (!IN_KEYRING_SESSION) return 'no D-Bus session (DBUS_SESSION_BUS_ADDRESS): run them with `sh scripts/with-keyring.sh npx vitest run src/main/core/crypto`'
  return null
}

// Where a part is missing they skip and say why, except where every part is required (CI), where they fail.
describe.skipIf(skipReason('the OS keychain tests', keychainProblem()) !== null)('keychainVault (real keytar, real Secret Service)', () => {
  let keytar: KeytarLike & { deletePassword(service: string, account: string): Promise<boolean> }
  // A service name of its own per test: a developer's real keychain is never read or overwritten.
  const services: string[] = []
  const freshService = () => {
    const service = `irish-desktop-test-${process.pid}-${randomBytes(4).toString('hex')}`
    services.push(service)
    return service
  }

  beforeAll(async () => {
    const mod = (await import('keytar')) as unknown as { default?: typeof keytar } & typeof keytar
    keytar = mod.default ?? mod
  })
  afterAll(async () => {
    if (!IN_KEYRING_SESSION) return
    for (const service of services) await keytar.deletePassword(service, 'data-key').catch(() => false)
  })

  it('creates a key on first use, stores it as base64, and returns the same key afterwards', async () => {
    const service = freshService()
    expect(await keytar.getPassword(service, 'data-key')).toBeNull()
    const vault = keychainVault({ service })
    expect(vault.describe()).toBe(`OS keychain (service ${service}, account data-key)`)
    const first = await vault.getDataKey()
    expect(first.length).toBe(32)
    expect(await keytar.getPassword(service, 'data-key')).toBe(first.toString('base64'))
    expect((await vault.getDataKey()).equals(first)).toBe(true)
  })

  it('gives two vault instances, and concurrent first calls, the same key', async () => {
    const service = freshService()
    const a = keychainVault({ service })
    const [k1, k2] = await Promise.all([a.getDataKey(), a.getDataKey()])
    const k3 = await keychainVault({ service }).getDataKey()
    expect(k1.equals(k2)).toBe(true)
    expect(k1.equals(k3)).toBe(true)
  })

  it('refuses an invalid stored value and leaves it untouched', async () => {
    const service = freshService()
    const bad = randomBytes(16).toString('base64')
    await keytar.setPassword(service, 'data-key', bad)
    const error = await rejection(keychainVault({ service }).getDataKey())
    expect(error.code).toBe('key-unavailable')
    expect(error.message).toContain('not a valid data key')
    expect(error.message).not.toContain(bad)
    expect(await keytar.getPassword(service, 'data-key')).toBe(bad)
  })

  it('does not create a key when creation is off', async () => {
    const service = freshService()
    const error = await rejection(keychainVault({ service, create: false }).getDataKey())
    expect(error.code).toBe('key-unavailable')
    expect(await keytar.getPassword(service, 'data-key')).toBeNull()
  })
})

// ---------------------------------------------------------------------------------------------------
// Keychain failures, reproduced for real in child processes with their own (or no) D-Bus session

interface ProbeResult {
  ok: boolean
  code?: string
  message?: string
}

/** Runs keychainVault().getDataKey() in a child node with the given environment, maybe under a wrapper. */
function probe(env: NodeJS.ProcessEnv, wrapper: string[] = []): Promise<ProbeResult> {
  const code = `
    import { keychainVault } from ${JSON.stringify(KEY_VAULT_URL)}
    const vault = keychainVault({ service: 'irish-desktop-probe-' + process.pid })
    try { await vault.getDataKey(); console.log(JSON.stringify({ ok: true })) }
    catch (e) { console.log(JSON.stringify({ ok: false, code: e.code, message: e.message })) }`
  const args = [...wrapper, process.execPath, '--import', 'tsx', '--input-type=module', '-e', code]
  return new Promise((resolve, reject) => {
    execFile(args[0]!, args.slice(1), { cwd: REPO_ROOT, env, timeout: 30_000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? ''
      try {
        resolve(JSON.parse(line) as ProbeResult)
      } catch {
        reject(new Error(`probe printed no result (${error?.message ?? 'no error'}): ${stderr.slice(-500)}`))
      }
    })
  })
}

function baseEnv(home: string): NodeJS.ProcessEnv {
  // No DISPLAY and no inherited bus: each case builds exactly the environment it describes.
  const { DISPLAY: _display, DBUS_SESSION_BUS_ADDRESS: _bus, ...rest } = process.env
  return { ...rest, HOME: home, XDG_RUNTIME_DIR: join(home, 'run'), XDG_DATA_HOME: join(home, 'data') }
}

const HAVE_DBUS_RUN_SESSION = await new Promise<boolean>((resolve) => {
  execFile('dbus-run-session', ['--version'], (error) => resolve(!error))
})
const NO_DBUS_RUN_SESSION = skipReason(
  'the keyring-failure tests that need dbus-run-session',
  HAVE_DBUS_RUN_SESSION ? null : 'dbus-run-session is not installed (apt-get install dbus-x11)',
)

describe.skipIf(skipReason('the keychain failure tests', keytarProblem()) !== null)('keychain failures map to key-unavailable errors naming the fix', () => {
  let home: string
  beforeAll(async () => {
    // mkdtemp makes it 0700, as D-Bus and gnome-keyring want for HOME and XDG_RUNTIME_DIR.
    home = await mkdtemp(join(tmpdir(), 'key-vault-probe-'))
    await mkdir(join(home, 'run'), { mode: 0o700 })
    await writeFile(
      join(home, 'no-services.conf'),
      // A session bus with no service directories: nothing can be activated, as on a system without a keyring.
      `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=${tmpdir()}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
`,
    )
  })
  afterAll(async () => {
    await rm(home, { recursive: true, force: true })
  })

  it('no D-Bus session and no DISPLAY', async () => {
    const result = await probe(baseEnv(home))
    expect(result.ok).toBe(false)
    expect(result.code).toBe('key-unavailable')
    expect(result.message).toContain('No D-Bus session bus')
    expect(result.message).toContain('dbus-run-session')
    expect(result.message).toContain('IRISH_DATA_KEY')
  })

  it('a D-Bus address pointing at a socket that does not exist', async () => {
    const result = await probe({ ...baseEnv(home), DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-such-bus')}` })
    expect(result.code).toBe('key-unavailable')
    expect(result.message).toContain('No D-Bus session bus')
  })

  it.skipIf(NO_DBUS_RUN_SESSION !== null)('a D-Bus session with no Secret Service', async () => {
    const result = await probe(baseEnv(home), ['dbus-run-session', `--config-file=${join(home, 'no-services.conf')}`, '--'])
    expect(result.code).toBe('key-unavailable')
    expect(result.message).toContain('No Secret Service')
    expect(result.message).toContain('gnome-keyring')
  })

  it.skipIf(NO_DBUS_RUN_SESSION !== null)('a keyring that is locked (gnome-keyring started without --unlock)', async () => {
    // The standard session bus activates gnome-keyring on demand; with a fresh HOME its login collection
    // does not exist until someone unlocks it, which is what a locked desktop keyring looks like.
    const result = await probe(baseEnv(home), ['dbus-run-session', '--'])
    expect(result.code).toBe('key-unavailable')
    expect(result.message).toContain('locked')
    expect(result.message).toContain('Unlock')
  })
})
