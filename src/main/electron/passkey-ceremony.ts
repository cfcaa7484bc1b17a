// The desktop app's passkey ceremony: a window on its own session partition in which the app answers
// every request for https://web.whatsapp.com/… itself (protocol.handle on that partition), so the page
// there (src/renderer/ceremony.html) runs navigator.credentials.get on the origin WhatsApp's rpId needs
// and hands the assertion to the core (core/api/passkey-ceremony.ts). Nothing is sent to WhatsApp's real
// site: http and https are both answered locally, anything else is refused. The renderer opens a
// ceremony link (window.open); the main window's open handler brings it here. Electron main process;
// the Electron API comes in as `electron`, so the wiring is tested under Node. docs/passkey-linking.md.

import { readFile } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'
import { HTTP_STATUS_BY_CODE, type ErrorInfo } from '../../shared/errors'
import { CEREMONY_ORIGIN, CEREMONY_ROUTE, ceremonyUrl, parseCeremonyUrl } from '../../shared/passkey-ceremony'
import type { CeremonyDesk } from '../core/api/passkey-ceremony'
import type { Logger } from '../core/logger'

/** In memory (no `persist:` prefix): nothing of a ceremony outlives the app. */
export const CEREMONY_PARTITION = 'irish-passkey-ceremony'
/** A passkey answer is a few hundred bytes. */
const MAX_BODY_BYTES = 16 * 1024

/** The parts of Electron's Session this uses. */
export interface CeremonySession {
  protocol: { handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void }
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void) => void): void
  setPermissionCheckHandler(handler: () => boolean): void
}

/** The parts of a BrowserWindow this uses. */
export interface CeremonyWindow {
  loadURL(url: string): Promise<void>
  close(): void
  isDestroyed(): boolean
  on(event: 'closed', listener: () => void): unknown
  webContents: {
    on(event: 'will-navigate', listener: (event: { preventDefault(): void }) => void): unknown
    setWindowOpenHandler(handler: () => { action: 'deny' }): void
  }
}

export interface CeremonyWindowOptions<Parent = unknown> {
  width: number
  height: number
  title: string
  parent?: Parent
  autoHideMenuBar: boolean
  webPreferences: { partition: string; sandbox: true; contextIsolation: true; nodeIntegration: false; webSecurity: true; spellcheck: false }
}

export interface CeremonyElectron<Parent = unknown> {
  fromPartition(partition: string): CeremonySession
  createWindow(options: CeremonyWindowOptions<Parent>): CeremonyWindow
}

/** A file of the renderer build ('ceremony.html', 'assets/…'), as a response; 404 when there is none. */
export type AssetSource = (path: string) => Promise<Response>

export interface PasskeyCeremonyDeps<Parent> {
  electron: CeremonyElectron<Parent>
  desk: CeremonyDesk
  asset: AssetSource
  logger: Pick<Logger, 'warn'>
  /** The window the ceremony window belongs to. */
  parent?: () => Parent | null
}

export interface PasskeyCeremony {
  /** Opens the ceremony window for a ceremony link; false when `url` is none (nothing opens). */
  open(url: string): boolean
}

export function createPasskeyCeremony<Parent>(deps: PasskeyCeremonyDeps<Parent>): PasskeyCeremony {
  const session = deps.electron.fromPartition(CEREMONY_PARTITION)
  const handler = ceremonyRequestHandler({ desk: deps.desk, asset: deps.asset })
  session.protocol.handle('https', handler)
  session.protocol.handle('http', refuseRequest)
  // No camera, no notifications, no USB prompts: the page needs none, and WebAuthn asks no permission.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  let current: CeremonyWindow | null = null

  return {
    open(url) {
      const link = parseCeremonyUrl(url)
      if (!link) return false
      // One ceremony at a time: a new link replaces the window of an older one.
      if (current && !current.isDestroyed()) current.close()
      const parent = deps.parent?.()
      const window = deps.electron.createWindow({
        width: 480,
        height: 560,
        title: 'Verify with passkey',
        ...(parent ? { parent } : {}),
        autoHideMenuBar: true,
        webPreferences: { partition: CEREMONY_PARTITION, sandbox: true, contextIsolation: true, nodeIntegration: false, webSecurity: true, spellcheck: false },
      })
      window.webContents.on('will-navigate', (event) => event.preventDefault())
      window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
      window.on('closed', () => {
        if (current === window) current = null
      })
      current = window
      // The server part of a browser link means nothing here: the app itself answers.
      window.loadURL(ceremonyUrl({ token: link.token, server: null })).catch((error: unknown) => deps.logger.warn({ err: error }, 'the passkey ceremony window did not load'))
      return true
    },
  }
}

/**
 * Answers every https request of the ceremony partition: the ceremony's two routes go to the core,
 * other GETs on https://web.whatsapp.com get the ceremony page and its assets, the rest is refused.
 */
export function ceremonyRequestHandler(deps: { desk: CeremonyDesk; asset: AssetSource }): (request: Request) => Promise<Response> {
  return async function answerCeremonyRequest(request) {
    const url = new URL(request.url)
    if (url.origin !== CEREMONY_ORIGIN) return refuseRequest()
    if (url.pathname.startsWith(CEREMONY_ROUTE)) {
      const token = decodeURIComponent(url.pathname.slice(CEREMONY_ROUTE.length))
      if (request.method === 'GET') return envelope(await deps.desk.options(token))
      if (request.method !== 'POST') return failure(405, { code: 'invalid-input', message: 'GET the passkey options, or POST the credential.' })
      const text = await request.text()
      if (Buffer.byteLength(text) > MAX_BODY_BYTES) return failure(413, { code: 'payload-too-large', message: `The passkey answer is larger than ${MAX_BODY_BYTES} bytes.` })
      let credential: unknown
      try {
        credential = JSON.parse(text)
      } catch {
        return failure(400, { code: 'invalid-input', message: 'The passkey answer is not JSON.' })
      }
      return envelope(await deps.desk.answer(token, credential))
    }
    if (request.method !== 'GET') return failure(405, { code: 'invalid-input', message: 'Only GET is served here.' })
    return deps.asset(url.pathname === '/' ? 'ceremony.html' : url.pathname.slice(1))
  }
}

/** The renderer build on disk (the packaged app, `npm run build`): files under `root` only. */
export function diskAssets(root: string): AssetSource {
  const base = normalize(root)
  return async function readAsset(path) {
    const file = normalize(join(base, decodeURIComponent(path)))
    if (!file.startsWith(base + sep)) return new Response('Not found', { status: 404 })
    try {
      const body = await readFile(file)
      return new Response(body, { status: 200, headers: { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' } })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  }
}

/** The renderer's dev server (`npm run dev`): the page and its modules come from there. */
export function devServerAssets(devUrl: string): AssetSource {
  const base = devUrl.replace(/\/+$/, '')
  // The renderer's dev server (the page's files), not the project's API: no API client applies.
  // eslint-disable-next-line no-restricted-syntax
  return (path) => fetch(`${base}/${path}`, { redirect: 'error' })
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
}

function refuseRequest(): Response {
  return new Response('This window talks to Irish Desktop only.', { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } })
}

function envelope(result: { ok: true; value: unknown } | { ok: false; error: ErrorInfo }): Response {
  return json(result.ok ? 200 : HTTP_STATUS_BY_CODE[result.error.code], result)
}

function failure(status: number, error: ErrorInfo): Response {
  return json(status, { ok: false, error })
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } })
}
