// The desktop ceremony's Electron wiring under Node, with the Electron API injected (no Electron binary
// here; e2e/passkey-desktop.e2e.ts runs the real window in the release pipeline): the partition and
// what is registered on it, the window's options and what it loads, and the local answers to every
// request of that partition. Request and Response are Node's own (the same WHATWG types Electron's
// protocol.handle passes).

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Result } from '../../shared/contract'
import { ceremonyUrl } from '../../shared/passkey-ceremony'
import type { CeremonyDesk } from '../core/api/passkey-ceremony'
import {
  CEREMONY_PARTITION,
  ceremonyRequestHandler,
  createPasskeyCeremony,
  diskAssets,
  type CeremonySession,
  type CeremonyWindow,
  type CeremonyWindowOptions,
} from './passkey-ceremony'

const TOKEN = `acc-1.${'Q'.repeat(43)}`

/** A desk that records what it was asked and answers as told. */
function recordingDesk(answers: { options?: Result<unknown>; answer?: Result<unknown> } = {}) {
  const calls: Array<{ kind: 'options' | 'answer'; token: string; credential?: unknown }> = []
  const desk: CeremonyDesk = {
    async options(token) {
      calls.push({ kind: 'options', token })
      return (answers.options ?? { ok: true, value: { options: { challenge: 'abc' }, expiresAt: 1 } }) as Awaited<ReturnType<CeremonyDesk['options']>>
    },
    async answer(token, credential) {
      calls.push({ kind: 'answer', token, credential })
      return (answers.answer ?? { ok: true, value: { accepted: true, confirm: true } }) as Awaited<ReturnType<CeremonyDesk['answer']>>
    },
  }
  return { desk, calls }
}

/** Electron's session and BrowserWindow, as far as the module uses them, recording everything. */
function fakeElectron() {
  const handlers = new Map<string, (request: Request) => Response | Promise<Response>>()
  const partitions: string[] = []
  let permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null = null
  let permissionCheck: (() => boolean) | null = null
  const session: CeremonySession = {
    protocol: { handle: (scheme, handler) => void handlers.set(scheme, handler) },
    setPermissionRequestHandler: (handler) => void (permissionRequest = handler),
    setPermissionCheckHandler: (handler) => void (permissionCheck = handler),
  }
  const windows: Array<{ options: CeremonyWindowOptions<string>; loaded: string[]; closed: boolean; navigate?: (event: { preventDefault(): void }) => void; openHandler?: () => { action: 'deny' }; onClosed?: () => void }> = []
  const electron = {
    fromPartition(partition: string) {
      partitions.push(partition)
      return session
    },
    createWindow(options: CeremonyWindowOptions<string>): CeremonyWindow {
      const record: (typeof windows)[number] = { options, loaded: [], closed: false }
      windows.push(record)
      return {
        loadURL: async (url) => void record.loaded.push(url),
        close: () => {
          record.closed = true
          record.onClosed?.()
        },
        isDestroyed: () => record.closed,
        on: (_event, listener) => void (record.onClosed = listener),
        webContents: {
          on: (_event, listener) => void (record.navigate = listener),
          setWindowOpenHandler: (handler) => void (record.openHandler = handler),
        },
      }
    },
  }
  return { electron, handlers, partitions, windows, permission: () => ({ request: permissionRequest, check: permissionCheck }) }
}

const noAssets = async (): Promise<Response> => new Response('missing', { status: 404 })
const quiet = { warn: () => undefined }

describe('the ceremony window', () => {
  it('lives on its own in-memory partition, where http and https are answered locally and every permission is denied', async () => {
    const fake = fakeElectron()
    createPasskeyCeremony({ electron: fake.electron, desk: recordingDesk().desk, asset: noAssets, logger: quiet })
    expect(fake.partitions).toEqual([CEREMONY_PARTITION])
    expect(CEREMONY_PARTITION.startsWith('persist:')).toBe(false)
    expect([...fake.handlers.keys()].sort()).toEqual(['http', 'https'])
    const plain = await fake.handlers.get('http')!(new Request('http://web.whatsapp.com/'))
    expect(plain.status).toBe(403)
    let granted: boolean | null = null
    fake.permission().request!({}, 'media', (answer) => (granted = answer))
    expect(granted).toBe(false)
    expect(fake.permission().check!()).toBe(false)
  })

  it('opens a sandboxed window for a ceremony link, loads it without its server part, and denies navigation and new windows', () => {
    const fake = fakeElectron()
    const ceremony = createPasskeyCeremony({ electron: fake.electron, desk: recordingDesk().desk, asset: noAssets, logger: quiet, parent: () => 'main window' })
    expect(ceremony.open(ceremonyUrl({ token: TOKEN, server: 'http://127.0.0.1:7420' }))).toBe(true)
    const [window] = fake.windows
    expect(window!.options).toMatchObject({
      parent: 'main window',
      webPreferences: { partition: CEREMONY_PARTITION, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true },
    })
    expect(window!.loaded).toEqual([ceremonyUrl({ token: TOKEN, server: null })])
    let prevented = false
    window!.navigate!({ preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
    expect(window!.openHandler!()).toEqual({ action: 'deny' })
  })

  it('opens nothing for other links, and one ceremony window at a time', () => {
    const fake = fakeElectron()
    const ceremony = createPasskeyCeremony({ electron: fake.electron, desk: recordingDesk().desk, asset: noAssets, logger: quiet })
    expect(ceremony.open('https://example.com/#irish-passkey=' + TOKEN)).toBe(false)
    expect(ceremony.open('https://web.whatsapp.com/')).toBe(false)
    expect(ceremony.open('https://web.whatsapp.com/#irish-passkey=not-a-token')).toBe(false)
    expect(fake.windows).toHaveLength(0)
    ceremony.open(ceremonyUrl({ token: TOKEN, server: null }))
    ceremony.open(ceremonyUrl({ token: TOKEN, server: null }))
    expect(fake.windows.map((w) => w.closed)).toEqual([true, false])
  })
})

describe("the partition's answers", () => {
  it('refuses every origin but https://web.whatsapp.com, without asking the core', async () => {
    const { desk, calls } = recordingDesk()
    const handle = ceremonyRequestHandler({ desk, asset: noAssets })
    for (const url of ['https://www.whatsapp.com/', 'https://web.whatsapp.com.evil.example/', `https://example.com/api/passkey-ceremony/${TOKEN}`]) {
      expect((await handle(new Request(url))).status).toBe(403)
    }
    expect(calls).toEqual([])
  })

  it("serves the ceremony page and its assets from the renderer build, and answers the ceremony's two routes through the core", async () => {
    const { desk, calls } = recordingDesk()
    const asked: string[] = []
    const handle = ceremonyRequestHandler({
      desk,
      asset: async (path) => {
        asked.push(path)
        return new Response(`file ${path}`)
      },
    })
    expect(await (await handle(new Request('https://web.whatsapp.com/'))).text()).toBe('file ceremony.html')
    expect(await (await handle(new Request('https://web.whatsapp.com/assets/ceremony-1.js'))).text()).toBe('file assets/ceremony-1.js')
    expect(asked).toEqual(['ceremony.html', 'assets/ceremony-1.js'])

    const options = await handle(new Request(`https://web.whatsapp.com/api/passkey-ceremony/${TOKEN}`))
    expect(options.status).toBe(200)
    expect(await options.json()).toEqual({ ok: true, value: { options: { challenge: 'abc' }, expiresAt: 1 } })
    const credential = { id: 'x', rawId: 'x', type: 'public-key' }
    const answer = await handle(new Request(`https://web.whatsapp.com/api/passkey-ceremony/${TOKEN}`, { method: 'POST', body: JSON.stringify(credential) }))
    expect(await answer.json()).toEqual({ ok: true, value: { accepted: true, confirm: true } })
    expect(calls).toEqual([
      { kind: 'options', token: TOKEN },
      { kind: 'answer', token: TOKEN, credential },
    ])
  })

  it("answers the core's refusals with their status, and refuses bad bodies and methods itself", async () => {
    const { desk, calls } = recordingDesk({ options: { ok: false, error: { code: 'not-found', message: 'stale' } }, answer: { ok: false, error: { code: 'conflict', message: 'used' } } })
    const handle = ceremonyRequestHandler({ desk, asset: noAssets })
    const route = `https://web.whatsapp.com/api/passkey-ceremony/${TOKEN}`
    expect((await handle(new Request(route))).status).toBe(404)
    expect((await handle(new Request(route, { method: 'POST', body: '{}' }))).status).toBe(409)
    const count = calls.length
    expect((await handle(new Request(route, { method: 'POST', body: '{"id":' }))).status).toBe(400)
    expect((await handle(new Request(route, { method: 'POST', body: JSON.stringify({ pad: 'x'.repeat(20_000) }) }))).status).toBe(413)
    expect((await handle(new Request(route, { method: 'PUT', body: '{}' }))).status).toBe(405)
    expect((await handle(new Request('https://web.whatsapp.com/', { method: 'POST', body: '{}' }))).status).toBe(405)
    expect(calls).toHaveLength(count)
  })
})

describe('the renderer build on disk', () => {
  const root = mkdtempSync(join(tmpdir(), 'irish-ceremony-assets-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const build = join(root, 'renderer')
  mkdirSync(join(build, 'assets'), { recursive: true })
  writeFileSync(join(build, 'ceremony.html'), '<!doctype html><title>ceremony</title>')
  writeFileSync(join(build, 'assets', 'page.js'), 'void 0')
  writeFileSync(join(root, 'secret.txt'), 'not for the page')
  const assets = diskAssets(build)

  it('serves files of the build with their type, and nothing outside it', async () => {
    const page = await assets('ceremony.html')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect((await assets('assets/page.js')).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect((await assets('../secret.txt')).status).toBe(404)
    expect((await assets('assets/%2e%2e/%2e%2e/secret.txt')).status).toBe(404)
    expect((await assets('missing.js')).status).toBe(404)
  })
})
