// Serves the renderer build at / for the headless server. Node only. Every failure ends as a response
// or a closed connection, never as an unhandled 'error' event: a file that vanishes while it is served,
// a directory where a file was, or a process out of file handles must not take the accounts down.
// The file is opened first and everything after works on that handle, so there is no gap between a
// check and the open for the file to disappear in (an unlinked file stays readable through its handle).
// Text files over 1 KiB go out compressed when the client accepts it (compression.ts), each compressed
// once per version of the file and kept in a bounded cache.

import { open, type FileHandle } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Logger } from '../core/logger'
import { compress, COMPRESS_MIN_BYTES, isCompressible, pickEncoding, type Encoding } from './compression'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

// The same policy as the renderer's meta tag; connect-src 'self' covers fetch and same-origin WebSockets.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

/** How the static server answers what it cannot serve; the HTTP server supplies its JSON envelope. */
export interface StaticFailure {
  status: 400 | 404 | 500 | 503
  message: string
}

export type SendFailure = (res: ServerResponse, failure: StaticFailure) => void

/** Errno codes that mean "no such file here" rather than a fault. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'EISDIR', 'ELOOP', 'ENAMETOOLONG'])
/** The process or the system is out of file handles: a temporary condition, so 503. */
const EXHAUSTED = new Set(['EMFILE', 'ENFILE'])

export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  fail: SendFailure,
  log: Logger,
): Promise<void> {
  let relative: string
  try {
    relative = normalize(decodeURIComponent(pathname)).replace(/^([/\\])+/, '')
  } catch {
    fail(res, { status: 400, message: 'The path is not valid.' })
    return
  }
  const file = join(root, relative)
  if ((file !== root && !file.startsWith(root + sep)) || relative.includes('\0')) {
    fail(res, { status: 404, message: 'Not found.' })
    return
  }
  let opened = await openFile(file)
  // A single-page app: unknown paths without an extension get the page itself.
  if (opened === 'absent' && extname(relative) === '') opened = await openFile(join(root, 'index.html'))
  if (opened === 'absent') {
    fail(res, { status: 404, message: 'Not found.' })
    return
  }
  if (opened === 'exhausted') {
    res.setHeader('Retry-After', '1')
    fail(res, { status: 503, message: 'The server is busy; try again in a moment.' })
    return
  }
  if (opened instanceof Error) {
    log.warn({ err: opened, path: relative }, 'static file could not be opened')
    fail(res, { status: 500, message: 'The file could not be read.' })
    return
  }
  await sendOpened(opened, req, res, log)
}

interface OpenedFile {
  handle: FileHandle
  path: string
  size: number
  mtimeMs: number
}

/** Larger files go out as they are (streamed); the renderer's largest chunk is a quarter of a megabyte. */
const MAX_COMPRESSED_FILE_BYTES = 8 * 1024 * 1024
/** Compressed files kept, in bytes; the oldest go first. A build's files fit many times over. */
const CACHE_BYTES = 32 * 1024 * 1024
const compressedCache = new Map<string, Buffer>()
let cachedBytes = 0

/** The file compressed, from the cache when this version of it was compressed before. */
async function compressedFile({ handle, path, size, mtimeMs }: OpenedFile, encoding: Encoding): Promise<Buffer> {
  const key = `${encoding}:${mtimeMs}:${size}:${path}`
  const hit = compressedCache.get(key)
  if (hit) {
    // Most recently used last.
    compressedCache.delete(key)
    compressedCache.set(key, hit)
    return hit
  }
  const body = await compress(encoding, await handle.readFile(), 'static')
  compressedCache.set(key, body)
  cachedBytes += body.length
  for (const [oldKey, old] of compressedCache) {
    if (cachedBytes <= CACHE_BYTES) break
    compressedCache.delete(oldKey)
    cachedBytes -= old.length
  }
  return body
}

async function openFile(path: string): Promise<OpenedFile | 'absent' | 'exhausted' | Error> {
  let handle: FileHandle
  try {
    handle = await open(path, 'r')
  } catch (error) {
    return classify(error)
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) {
      await handle.close()
      return 'absent'
    }
    return { handle, path, size: stat.size, mtimeMs: stat.mtimeMs }
  } catch (error) {
    await handle.close().catch(() => undefined)
    return classify(error)
  }
}

function classify(error: unknown): 'absent' | 'exhausted' | Error {
  const code = (error as NodeJS.ErrnoException).code ?? ''
  if (ABSENT.has(code)) return 'absent'
  if (EXHAUSTED.has(code)) return 'exhausted'
  return error instanceof Error ? error : new Error(String(error))
}

async function sendOpened(opened: OpenedFile, req: IncomingMessage, res: ServerResponse, log: Logger): Promise<void> {
  const { handle, path, size } = opened
  const contentType = CONTENT_TYPES[extname(path)] ?? 'application/octet-stream'
  const compressible = isCompressible(contentType)
  const headers = {
    'Content-Type': contentType,
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cache-Control': path.endsWith('index.html') ? 'no-store' : 'public, max-age=3600',
    ...(compressible ? { Vary: 'Accept-Encoding' } : {}),
  }
  const encoding = compressible && size > COMPRESS_MIN_BYTES && size <= MAX_COMPRESSED_FILE_BYTES ? pickEncoding(req.headers['accept-encoding']) : null
  if (encoding) {
    let body: Buffer
    try {
      body = await compressedFile(opened, encoding)
    } finally {
      await handle.close().catch(() => undefined)
    }
    res.writeHead(200, { ...headers, 'Content-Encoding': encoding, 'Content-Length': body.length })
    res.end(req.method === 'HEAD' ? undefined : body)
    return
  }
  res.writeHead(200, { ...headers, 'Content-Length': size })
  if (req.method === 'HEAD' || size === 0) {
    res.end()
    await handle.close().catch(() => undefined)
    return
  }
  // autoClose: the stream closes the handle when it ends or fails; pipeline destroys both sides on an
  // error on either (a read error, a client that went away), so nothing is left open or unhandled.
  const stream = handle.createReadStream({ autoClose: true, start: 0, end: Math.max(0, size - 1) })
  try {
    await pipeline(stream, res)
  } catch (error) {
    // Headers are out: all that is left is to close the connection, which pipeline has done.
    const code = (error as NodeJS.ErrnoException).code
    if (code !== 'ERR_STREAM_PREMATURE_CLOSE') log.warn({ err: error }, 'static file stream failed')
  } finally {
    await handle.close().catch(() => undefined)
  }
}
