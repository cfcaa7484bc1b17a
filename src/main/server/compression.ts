// Compression of what the headless server sends: static files and JSON answers over 1 KiB go out as
// brotli or gzip, whichever the client's Accept-Encoding prefers (brotli on a tie), or as they are when
// it accepts neither. Node only. zlib's async functions run on the thread pool, so a large answer never
// holds the event loop (and the accounts on it) while it is compressed.

import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'

export type Encoding = 'br' | 'gzip'

/** Smaller bodies go out as they are: compressing them saves less than the headers cost. */
export const COMPRESS_MIN_BYTES = 1024

const brotli = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/**
 * Effort by use. Static files are compressed once and kept (static-files.ts): brotli 6 is within 1% of
 * brotli 9 on the renderer's bundle at a sixth of the time (27 ms against 165 ms for 240 KB), and
 * brotli 11 took 1.1 s for 7% less. JSON answers are compressed on every request: brotli 4 packs 150 KB
 * of account summaries into 3.4 KB in under a millisecond.
 */
const EFFORT = {
  static: { br: 6, gzip: 9 },
  answer: { br: 4, gzip: 6 },
} as const

/** The encoding to use for a request, from its Accept-Encoding header (q-values honoured, q=0 refuses). */
export function pickEncoding(acceptEncoding: string | string[] | undefined): Encoding | null {
  const header = Array.isArray(acceptEncoding) ? acceptEncoding.join(',') : (acceptEncoding ?? '')
  const weights = new Map<string, number>()
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined)
    const weight = q === undefined ? 1 : Number(q)
    weights.set(name, Number.isFinite(weight) ? weight : 0)
  }
  const star = weights.get('*')
  const weightOf = (name: Encoding): number => weights.get(name) ?? star ?? 0
  const br = weightOf('br')
  const gz = weightOf('gzip')
  if (br <= 0 && gz <= 0) return null
  return br >= gz ? 'br' : 'gzip'
}

export function compress(encoding: Encoding, bytes: Buffer, use: keyof typeof EFFORT): Promise<Buffer> {
  if (encoding === 'gzip') return gzipAsync(bytes, { level: EFFORT[use].gzip })
  return brotli(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: EFFORT[use].br, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  })
}

/** Content types worth compressing: text of any kind. PNG images and WOFF2 fonts are compressed formats already. */
export function isCompressible(contentType: string): boolean {
  return /^text\/|javascript|json|svg|xml/.test(contentType)
}
