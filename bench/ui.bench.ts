// The page on the wire: WebSocket frames (and bytes) a second that each browser tab receives, and the
// main-thread time the tab spends, at 500 accounts with 1 message a second each, per view. Peer,
// measured in the same run: a client of the event stream that subscribes to nothing in particular, and
// so gets every event (what every tab got before views subscribed to the events they show).
//
// What runs: the 500-account test server of the e2e specs (e2e/support/fleet-server.ts: real core, real
// HTTP and WebSocket server, the renderer build) with its traffic switched on: 500 accounts:message
// events a second through the core's event bus, one telemetry:tick a second and two status changes a
// second. The messages are emitted on the bus rather than sent through the simulator: what is measured
// is what leaves the server towards the page, the same either way, and 500 Baileys sockets would cost
// this 2-core machine more than the tabs do. Debian's Chromium, one tab per view, side by side.
//
// Then the renderer build: every file raw, gzip and brotli (best effort, as a CDN would), and what the
// accounts view's first load transferred from this server (which compresses on the fly: compression.ts).
//
// Usage: npm run bench:ui [-- --seconds 10 --rate 500 --skip-build]

import './as-built'
import { chromium, type Page } from '@playwright/test'
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { parseArgs } from 'node:util'
import WebSocket from 'ws'
import { createApiClient } from '../src/shared/api-client'
import { buildRenderer, RENDERER_OUT } from '../e2e/support/build-renderer'
import { startFleetServer, type FleetServer } from '../e2e/support/fleet'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '500' },
    'skip-build': { type: 'boolean', default: false },
  },
})
const SECONDS = Number(values.seconds)
const RATE = Number(values.rate)
/** Before measuring: the page loads, fetches and settles its first renders. */
const SETTLE_MS = 4_000

interface Counter {
  frames: number
  bytes: number
}

interface TabFigures {
  view: string
  framesPerSecond: number
  kilobytesPerSecond: number
  /** Main-thread task time per second of wall time, from the DevTools protocol. */
  busyMsPerSecond: number
}

async function listIds(fleet: FleetServer): Promise<string[]> {
  return (await createApiClient({ baseUrl: fleet.url, token: fleet.token }).call('accounts:list', {})).map((a) => a.id)
}

/** A Node client of the event stream that asks for no particular events: it gets all of them. */
function rawClient(fleet: FleetServer): { counter: Counter; close(): void; ready: Promise<void> } {
  const counter: Counter = { frames: 0, bytes: 0 }
  const ws = new WebSocket(`${fleet.url.replace(/^http/, 'ws')}/api/events`, ['irish.v1'], { headers: { Authorization: `Bearer ${fleet.token}` } })
  const ready = new Promise<void>((resolve, reject) => {
    ws.once('error', reject)
    ws.once('open', () => resolve())
  })
  ws.on('message', (data: Buffer) => {
    counter.frames += 1
    counter.bytes += data.length
  })
  return { counter, ready, close: () => ws.close() }
}

/** Counts the frames the page's event WebSocket receives. */
function watchFrames(page: Page): Counter {
  const counter: Counter = { frames: 0, bytes: 0 }
  page.on('websocket', (socket) => {
    if (!socket.url().endsWith('/api/events') && !socket.url().includes('/api/events?')) return
    socket.on('framereceived', (frame) => {
      counter.frames += 1
      counter.bytes += typeof frame.payload === 'string' ? Buffer.byteLength(frame.payload) : frame.payload.length
    })
  })
  return counter
}

async function taskSeconds(page: Page): Promise<() => Promise<number>> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable')
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0
  }
}

/** What one page load fetched of the build: bytes on the wire and decoded, per file type. */
interface Transfer {
  files: number
  wire: number
  decoded: number
  encodings: Set<string>
}

function watchTransfer(page: Page): Transfer {
  const transfer: Transfer = { files: 0, wire: 0, decoded: 0, encodings: new Set() }
  page.on('response', (response) => {
    if (!/\/assets\/.*\.(js|css)$/.test(new URL(response.url()).pathname)) return
    void response.body().then(
      (body) => {
        const headers = response.headers()
        transfer.files += 1
        transfer.decoded += body.length
        transfer.wire += Number(headers['content-length'] ?? body.length)
        transfer.encodings.add(headers['content-encoding'] ?? 'none')
      },
      () => undefined,
    )
  })
  return transfer
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`
}

function printBuild(): void {
  const dir = join(RENDERER_OUT, 'assets')
  const rows = readdirSync(dir)
    .filter((name) => /\.(js|css)$/.test(name))
    .map((name) => {
      const bytes = readFileSync(join(dir, name))
      return {
        name,
        raw: bytes.length,
        gzip: gzipSync(bytes, { level: 9 }).length,
        br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
      }
    })
    .sort((a, b) => b.raw - a.raw)
  const sum = (kind: 'js' | 'css', key: 'raw' | 'gzip' | 'br') => rows.filter((r) => r.name.endsWith(`.${kind}`)).reduce((total, r) => total + r[key], 0)
  console.log(`\nThe renderer build (${rows.length} files): raw, gzip -9, brotli 11\n`)
  console.log('| file | raw | gzip | brotli |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const r of rows.slice(0, 8)) console.log(`| ${r.name} | ${kb(r.raw)} | ${kb(r.gzip)} | ${kb(r.br)} |`)
  if (rows.length > 8) console.log(`| ${rows.length - 8} smaller files | ${kb(rows.slice(8).reduce((t, r) => t + r.raw, 0))} | | |`)
  console.log(`| all JavaScript | ${kb(sum('js', 'raw'))} | ${kb(sum('js', 'gzip'))} | ${kb(sum('js', 'br'))} |`)
  console.log(`| all CSS | ${kb(sum('css', 'raw'))} | ${kb(sum('css', 'gzip'))} | ${kb(sum('css', 'br'))} |`)
}

async function main(): Promise<void> {
  if (!values['skip-build']) await buildRenderer()
  const fleet = await startFleetServer()
  const browser = await chromium.launch({
    executablePath: process.env.IRISH_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    env: { ...process.env, XDG_CONFIG_HOME: join(tmpdir(), 'irish-bench-chromium', 'config'), XDG_CACHE_HOME: join(tmpdir(), 'irish-bench-chromium', 'cache') },
  })
  try {
    await fleet.inject()
    const ids = await listIds(fleet)
    const views = [
      { view: 'accounts (table)', hash: '#/accounts' },
      { view: 'one account', hash: `#/accounts/${ids[0]}` },
      { view: 'telemetry', hash: '#/telemetry' },
    ]
    let firstLoad: Transfer | null = null
    const tabs: Array<{ view: string; page: Page; counter: Counter; busy: () => Promise<number> }> = []
    for (const { view, hash } of views) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 })
      const page = await context.newPage()
      const counter = watchFrames(page)
      if (tabs.length === 0) firstLoad = watchTransfer(page)
      // Signed in by the link the server prints, then on to the view.
      await page.goto(`${fleet.url}/#token=${fleet.token}`)
      await page.locator('#main-heading').waitFor()
      await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`)
      await page.locator('#main-heading').waitFor()
      tabs.push({ view, page, counter, busy: await taskSeconds(page) })
    }
    const peer = rawClient(fleet)
    await peer.ready
    await fleet.traffic(RATE)
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))

    const start = tabs.map((tab) => ({ ...tab.counter }))
    const peerStart = { ...peer.counter }
    const busyStart = await Promise.all(tabs.map((tab) => tab.busy()))
    const startedAt = performance.now()
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000))
    const elapsed = (performance.now() - startedAt) / 1000
    const busyEnd = await Promise.all(tabs.map((tab) => tab.busy()))
    const figures: TabFigures[] = tabs.map((tab, i) => ({
      view: tab.view,
      framesPerSecond: (tab.counter.frames - start[i]!.frames) / elapsed,
      kilobytesPerSecond: (tab.counter.bytes - start[i]!.bytes) / 1024 / elapsed,
      busyMsPerSecond: ((busyEnd[i]! - busyStart[i]!) * 1000) / elapsed,
    }))
    const peerFrames = (peer.counter.frames - peerStart.frames) / elapsed
    const peerKb = (peer.counter.bytes - peerStart.bytes) / 1024 / elapsed
    await fleet.traffic(0)
    peer.close()

    console.log(`\nbench:ui: 500 accounts, ${RATE} messages/s, 1 tick/s, 2 status changes/s; ${elapsed.toFixed(1)} s measured per tab\n`)
    console.log('| tab | frames/s | KiB/s | main thread ms/s | frames vs every-event client |')
    console.log('| --- | ---: | ---: | ---: | ---: |')
    for (const f of figures) {
      console.log(`| ${f.view} | ${f.framesPerSecond.toFixed(1)} | ${f.kilobytesPerSecond.toFixed(1)} | ${f.busyMsPerSecond.toFixed(0)} | ${(f.framesPerSecond / peerFrames).toFixed(3)} |`)
    }
    console.log(`| peer: every-event client (Node) | ${peerFrames.toFixed(1)} | ${peerKb.toFixed(1)} | – | 1 |`)
    printBuild()
    if (firstLoad) {
      const load = firstLoad as Transfer
      console.log(
        `\nThe accounts view's first load: ${load.files} JS and CSS files, ${kb(load.decoded)} decoded, ${kb(load.wire)} on the wire (content-encoding: ${[...load.encodings].join(', ')})`,
      )
    }
  } finally {
    await browser.close()
    await fleet.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
