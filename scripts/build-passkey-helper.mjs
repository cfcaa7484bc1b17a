// Builds the passkey helper (extensions/passkey-helper, an MV3 extension for Chromium browsers) into an
// unpacked directory, and zips that directory for the stores: `npm run build:passkey-helper`.
//
//   node scripts/build-passkey-helper.mjs [--out <dir>] [--host <origin>]...
//
// --out   the unpacked directory (default out/passkey-helper); the zip is written beside it as <dir>.zip.
// --host  an Irish server the helper may talk to without asking (written into host_permissions, granted
//         when the helper is installed): for an operator who hands their team a helper for their own
//         server, and for the tests. Without it the helper asks the person once per server
//         (optional_host_permissions). Node only; no network. The zip is reproducible (fixed dates).

import { Buffer } from 'node:buffer'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { crc32, deflateRawSync, deflateSync } from 'node:zlib'
import { build } from 'esbuild'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const SOURCE = join(ROOT, 'extensions', 'passkey-helper')

/** Builds the helper; returns the unpacked directory and the zip's path. */
export async function buildPasskeyHelper({ out = join(ROOT, 'out', 'passkey-helper'), hosts = [] } = {}) {
  const origins = hosts.map((host) => {
    const url = new URL(host)
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
      throw new Error(`--host ${host} is not an http(s) origin such as http://127.0.0.1:7420`)
    }
    return url.origin
  })
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  await build({
    entryPoints: { content: join(SOURCE, 'src', 'content.ts'), 'service-worker': join(SOURCE, 'src', 'service-worker.ts'), grant: join(SOURCE, 'src', 'grant.ts') },
    outdir: out,
    bundle: true,
    // Content scripts and this service worker are classic scripts.
    format: 'iife',
    target: 'chrome129',
    minify: false,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version
  const manifest = JSON.parse(readFileSync(join(SOURCE, 'manifest.json'), 'utf8'))
  manifest.version = version
  manifest.host_permissions = origins.map((origin) => `${origin}/*`)
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  for (const file of ['grant.html', 'grant.css']) writeFileSync(join(out, file), readFileSync(join(SOURCE, 'src', file)))
  for (const size of [16, 48, 128]) writeFileSync(join(out, `icon-${size}.png`), icon(size))

  const files = ['manifest.json', 'content.js', 'service-worker.js', 'grant.html', 'grant.css', 'grant.js', 'icon-16.png', 'icon-48.png', 'icon-128.png']
  const zipPath = `${out}.zip`
  writeFileSync(zipPath, zip(files.map((name) => ({ name, data: readFileSync(join(out, name)) }))))
  return { dir: out, zip: zipPath, files }
}

/** The helper's icon: a key on a green disc, drawn here so no binary file is kept in the repository. */
function icon(size) {
  const c = (size - 1) / 2
  return png(size, (x, y) => {
    const dx = (x - c) / size
    const dy = (y - c) / size
    const r = Math.hypot(dx, dy)
    if (r > 0.48) return [0, 0, 0, 0]
    // The key: a ring at the upper left, a bar to the lower right, one tooth.
    const ring = Math.hypot(dx + 0.14, dy + 0.14)
    const along = (dx + dy) / Math.SQRT2
    const across = (dx - dy) / Math.SQRT2
    const bar = along > -0.02 && along < 0.3 && Math.abs(across) < 0.045
    const tooth = along > 0.18 && along < 0.26 && across > 0 && across < 0.12
    const white = (ring > 0.07 && ring < 0.15) || bar || tooth
    return white ? [255, 255, 255, 255] : [31, 122, 77, 255]
  })
}

function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0
    for (let x = 0; x < size; x++) Buffer.from(pixel(x, y)).copy(raw, y * (size * 4 + 1) + 1 + x * 4)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header[8] = 8 // bits per channel
  header[9] = 6 // RGBA
  const chunk = (type, data) => {
    const length = Buffer.alloc(4)
    length.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([length, body, crc])
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))])
}

/** A zip of deflated files, every date 1980-01-01 00:00 (the format's first), so builds compare equal. */
function zip(files) {
  const DOS_DATE = (0 << 9) | (1 << 5) | 1
  const locals = []
  const centrals = []
  let offset = 0
  for (const { name, data } of files) {
    const nameBytes = Buffer.from(name, 'utf8')
    const packed = deflateRawSync(data, { level: 9 })
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6) // names are UTF-8
    local.writeUInt16LE(8, 8) // deflate
    local.writeUInt16LE(0, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(packed.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBytes.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(0, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(packed.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBytes.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, nameBytes, packed)
    centrals.push(central, nameBytes)
    offset += local.length + nameBytes.length + packed.length
  }
  const directory = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, host: { type: 'string', multiple: true, default: [] } }, strict: true })
  buildPasskeyHelper({ ...(values.out ? { out: resolve(values.out) } : {}), hosts: values.host })
    .then(({ dir, zip: zipPath }) => console.log(`passkey helper: ${dir} (unpacked) and ${zipPath}`))
    .catch((error) => {
      console.error(error instanceof Error ? `error: ${error.message}` : error)
      process.exit(1)
    })
}
