// A proxy per account, end to end: real Baileys in a real core (encrypted SQLite) against the simulator,
// through a real HTTP CONNECT proxy and a real SOCKS5 server on 127.0.0.1 (test/support/test-proxies.ts).
// Each account is paired directly, then told to reconnect through a proxy. A proxy that refuses or is
// down leaves the account down with the condition proxy-unreachable, and the simulator, which a direct
// connection would reach, sees nobody. Media the account's socket sends is fetched and uploaded through
// the proxy too. The password never shows in the API, the log or the database file.

import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { jidDecode, makeWASocket, type WASocket } from '@whiskeysockets/baileys'
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, BulkResult, Result, Settings } from '../src/shared/contract'
import type { AccountId } from '../src/shared/ids'
import { startSimulator, type Simulator } from '../src/simulator/simulator'
import { silentLogger as silentSimulatorLogger } from '../src/simulator/logger'
import { createCore, type Core } from '../src/main/core/create-core'
import { envVault } from '../src/main/core/crypto/key-vault'
import { muteLibsignalLogs } from './support/baileys-clients'
import { newDataKey, pairAccount, recordEvents, waitForStatus, type EventRecorder, type PairedTestAccount } from './support/sessions'
import { downProxyUrl, startHttpConnectProxy, startSocksProxy, type TestProxy } from './support/test-proxies'
import { tmpdir } from 'node:os'

interface World {
  sim: Simulator
  core: Core
  events: EventRecorder
  dataDir: string
  logs: string[]
  /** Every socket the core made, oldest first (real Baileys, only observed). */
  sockets: WASocket[]
  pair(label: string): Promise<PairedTestAccount>
  close(): Promise<void>
}

/** A core whose log lines (debug and up) are kept, so a test can read them for a password. */
async function startWorld(backoff: { baseMs: number; maxMs: number; factor: number }, shared?: Simulator): Promise<World> {
  // The trusted root is process-wide: a second core in one file shares the first one's simulator.
  const sim = shared ?? (await startSimulator({ port: 0, logger: silentSimulatorLogger }))
  const dataDir = mkdtempSync(join(tmpdir(), 'irish-proxy-'))
  const logs: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'))
      done()
    },
  })
  const sockets: WASocket[] = []
  const core = await createCore({
    dataDir,
    keyVault: envVault(newDataKey()),
    makeSocket: (config) => {
      const socket = makeWASocket(config)
      sockets.push(socket)
      return socket
    },
    logger: pino({ level: 'debug' }, sink),
    appVersion: 'test',
    whatsappOverride: { url: sim.url, trustedRootKey: sim.rootKeyHex },
    backoff,
  })
  const events = recordEvents(core.events, core.sessions.list())
  return {
    sim,
    core,
    events,
    dataDir,
    logs,
    sockets,
    pair: (label) => pairAccount(core, events, (qr, name) => sim.scanQr(qr, { name }), label),
    async close() {
      events.stop()
      await core.close()
      if (!shared) await sim.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

async function call<T>(core: Core, command: string, input: unknown): Promise<Result<T>> {
  return (await core.dispatch(command, input)) as Result<T>
}

async function value<T>(core: Core, command: string, input: unknown): Promise<T> {
  const result = await call<T>(core, command, input)
  if (!result.ok) throw new Error(`${command} failed: ${result.error.code} ${result.error.message}`)
  return result.value
}

function summaryOf(core: Core, id: AccountId): AccountSummary {
  return core.sessions.list().find((a) => a.id === id)!
}

describe('a proxy per account', () => {
  let unmute: () => void
  let world: World
  let http: TestProxy
  let socks: TestProxy
  const simAddress = (): string => new URL(world.sim.url).host

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    // Short retries, so a failing proxy is tried again several times within a test.
    world = await startWorld({ baseMs: 100, maxMs: 400, factor: 2 })
    http = await startHttpConnectProxy()
    socks = await startSocksProxy()
  })

  afterAll(async () => {
    await world?.close()
    await http?.close()
    await socks?.close()
    unmute?.()
  })

  /** Sets the account's proxy through the command, reconnecting now, and returns its one result. */
  async function setProxy(id: AccountId, url: string | null): Promise<BulkResult> {
    const [result] = await value<BulkResult[]>(world.core, 'accounts:set-proxy', { ids: [id], url, reconnect: true })
    return result!
  }

  it.each([
    ['an HTTP proxy (CONNECT)', () => http],
    ['a SOCKS5 server, names resolved by the proxy (socks5h)', () => socks],
  ])('an account paired directly reconnects through %s, and the proxy saw it', async (_, proxyOf) => {
    const proxy = proxyOf()
    const account = await world.pair(`Through ${proxy.url.split(':')[0]}`)
    const tunnels = proxy.tunnels.length
    const accepted = world.sim.stats().accepted
    const since = world.events.mark()

    const result = await setProxy(account.id, proxy.url)
    expect(result).toMatchObject({ id: account.id, ok: true })
    expect(result.account!.proxy).toBe(proxy.url.replace(/:[^:@]*@/, ':***@'))
    const back = await waitForStatus(world.core, world.events, account.id, 'connected', { since })

    expect(back.proxy).toBe(result.account!.proxy)
    expect(proxy.tunnels.slice(tunnels)).toEqual([simAddress()])
    // The one new connection the simulator accepted is the proxy's tunnel.
    expect(world.sim.stats().accepted - accepted).toBe(1)
    expect(back.condition ?? null).toBeNull()

    // Cleared, it connects directly again, and the proxy sees nothing more.
    const cleared = world.events.mark()
    expect((await setProxy(account.id, null)).account!.proxy).toBeNull()
    await waitForStatus(world.core, world.events, account.id, 'connected', { since: cleared })
    expect(proxy.tunnels.slice(tunnels)).toEqual([simAddress()])
  })

  it('a SOCKS5 URL whose names resolve here (socks5) reaches the simulator through the proxy too', async () => {
    const account = await world.pair('Through socks5')
    const tunnels = socks.tunnels.length
    const since = world.events.mark()
    await setProxy(account.id, socks.url.replace(/^socks5h:/, 'socks5:'))
    await waitForStatus(world.core, world.events, account.id, 'connected', { since })
    expect(socks.tunnels.slice(tunnels)).toEqual([simAddress()])
  })

  it.each([
    ['an HTTP proxy (CONNECT)', () => http],
    ['a SOCKS5 server', () => socks],
  ])('media the account sends goes through %s: the download from its URL and the upload to the media host', async (_, proxyOf) => {
    const proxy = proxyOf()
    // A file server on 127.0.0.1 standing in for where the media lives; the simulator's media host
    // (127.0.0.1:443) has no CDN behind it, so the upload fails once it has gone through the proxy.
    const fetched: string[] = []
    const files: Server = createServer((req, res) => {
      fetched.push(req.url ?? '')
      res.end('%PDF-1.4 a small document')
    })
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve))
    const filesHost = `127.0.0.1:${(files.address() as AddressInfo).port}`
    try {
      const account = await world.pair(`Media ${proxy.url.split(':')[0]}`)
      const since = world.events.mark()
      await setProxy(account.id, proxy.url)
      await waitForStatus(world.core, world.events, account.id, 'connected', { since })
      const socket = world.sockets.findLast((s) => s.user && jidDecode(s.user.id)?.user === account.phone)!
      const tunnels = proxy.tunnels.length

      await expect(
        socket.sendMessage(account.jid, { document: { url: `http://${filesHost}/report.pdf` }, mimetype: 'application/pdf' }),
      ).rejects.toThrow(/Media upload failed/)

      expect(fetched).toEqual(['/report.pdf'])
      expect(proxy.tunnels.slice(tunnels)).toEqual([filesHost, '127.0.0.1:443'])
    } finally {
      await new Promise<void>((resolve) => files.close(() => resolve()))
    }
  })

  it.each([
    ['an HTTP proxy refuses the credentials', async () => http.wrongPasswordUrl, () => http.refused()],
    ['a SOCKS5 server refuses the credentials', async () => socks.wrongPasswordUrl, () => socks.refused()],
    ['the proxy is down', () => downProxyUrl('http'), null],
  ] as const)('when %s: condition proxy-unreachable with the host, retries with backoff, never a direct connection', async (_, urlOf, refusals) => {
    const account = await world.pair(`Failing ${Math.random()}`)
    const url = await urlOf()
    const host = new URL(url).host
    const accepted = world.sim.stats().accepted
    const refusedBefore = refusals?.() ?? 0
    const since = world.events.mark()

    await setProxy(account.id, url)
    // Two failed attempts, the second after a backoff: shown each time, never a direct connection.
    const failures = (): AccountSummary[] =>
      world.events.payloads('accounts:changed', since).filter((s) => s.id === account.id && s.status === 'reconnecting' && s.condition?.code === 'proxy-unreachable')
    await world.events.next(() => failures().length >= 2, { since, what: 'two failed attempts through the proxy' })

    const now = summaryOf(world.core, account.id)
    expect(now.status).toBe('reconnecting')
    expect(now.condition).toMatchObject({ code: 'proxy-unreachable', title: 'Proxy unreachable', until: null })
    expect(now.condition!.detail).toContain(host)
    expect(now.condition!.automatic).toMatch(/^Trying the proxy again in \d+ s$/)
    expect(now.lastError).toContain(host)
    expect(now.reconnectCount).toBeGreaterThanOrEqual(account.summary.reconnectCount + 2)
    if (refusals) expect(refusals() - refusedBefore).toBeGreaterThanOrEqual(2)
    else expect(now.condition!.detail).toContain('ECONNREFUSED')
    // A direct connection would have reached the simulator: it reached nothing.
    expect(world.sim.stats().accepted).toBe(accepted)
    expect((await world.core.sessions.health(account.id)).nextRetryAt).not.toBeNull()

    await world.core.sessions.stop(account.id)
    expect(summaryOf(world.core, account.id).condition).toBeNull()
  })

  it('refuses a malformed URL, an unsupported scheme and a URL with a path, changing nothing', async () => {
    const account = await world.pair('Bad input')
    await setProxy(account.id, socks.url)
    const before = summaryOf(world.core, account.id).proxy
    for (const [url, says] of [
      ['not a url', /not a proxy URL/],
      ['https://proxy.example:443', /starts with http:\/\/, socks5:\/\/ or socks5h:\/\//],
      ['socks4://proxy.example:1080', /not socks4:/],
      ['http://proxy.example', /no port/],
      ['http://proxy.example:3128/path', /no path/],
      ['', /Give a proxy URL/],
    ] as const) {
      const result = await call(world.core, 'accounts:set-proxy', { ids: [account.id], url })
      expect(result.ok, url).toBe(false)
      expect(!result.ok && result.error.code).toBe('invalid-input')
      expect(!result.ok && result.error.message).toMatch(says)
    }
    expect(summaryOf(world.core, account.id).proxy).toBe(before)
    const unknown = await value<BulkResult[]>(world.core, 'accounts:set-proxy', { ids: ['acc-nobody'], url: null })
    expect(unknown).toEqual([{ id: 'acc-nobody', ok: false, error: { code: 'not-found', message: 'There is no account "acc-nobody".' } }])
  })

  it('gives new accounts the default proxy from the settings, shown without its password', async () => {
    const set = await value<Settings>(world.core, 'settings:set', { defaultProxy: http.url })
    expect(set.defaultProxy).toBe(http.url.replace(/:[^:@]*@/, ':***@'))
    // The shown form given back (a settings form saved as it was) keeps the URL.
    expect((await value<Settings>(world.core, 'settings:set', { defaultProxy: set.defaultProxy, autoStart: true })).defaultProxy).toBe(set.defaultProxy)
    const tunnels = http.tunnels.length
    const account = await world.pair('Default proxy')
    expect(account.summary.proxy).toBe(set.defaultProxy)
    // Paired through it: the QR code's socket and the one after WhatsApp's 515 restart.
    expect(http.tunnels.slice(tunnels)).toEqual([simAddress(), simAddress()])
    await value(world.core, 'settings:set', { defaultProxy: null })
    expect((await world.core.sessions.add('No default')).proxy).toBeNull()
  })

  it('an export carries the proxy only when asked; an import puts it in place', async () => {
    const account = await world.pair('Exported with proxy')
    await setProxy(account.id, socks.url)
    const other = await startWorld({ baseMs: 100, maxMs: 400, factor: 2 }, world.sim)
    try {
      const passphrase = 'a passphrase long enough'
      for (const includeProxy of [false, true]) {
        const exported = await value<{ bundle: string }>(world.core, 'transfer:export', { id: account.id, passphrase, mode: 'copy', includeProxy })
        const imported = await value<AccountSummary>(other.core, 'transfer:import', { bundle: exported.bundle, passphrase, start: false, replace: true })
        expect(imported.proxy).toBe(includeProxy ? summaryOf(world.core, account.id).proxy : null)
      }
      // What arrived is the whole URL, sealed there under that server's key: it connects through it.
      const [imported] = other.core.sessions.list()
      await world.core.sessions.stop(account.id)
      const tunnels = socks.tunnels.length
      const since = other.events.mark()
      await other.core.sessions.start(imported!.id)
      await waitForStatus(other.core, other.events, imported!.id, 'connected', { since })
      expect(socks.tunnels.slice(tunnels)).toEqual([simAddress()])
    } finally {
      await other.close()
    }
  })

  it('never shows the password: not in the API, the log or the database file', async () => {
    const passwords = [socks.url, http.url].map((url) => decodeURIComponent(new URL(url).password))
    const account = await world.pair('Secret keeping')
    await setProxy(account.id, socks.url)
    await value(world.core, 'settings:set', { defaultProxy: http.url })
    const answers = JSON.stringify([
      await value(world.core, 'accounts:list', {}),
      await value(world.core, 'settings:get', {}),
      await value(world.core, 'accounts:health', { id: account.id }),
      await value(world.core, 'accounts:activity', { id: account.id }),
    ])
    const log = world.logs.join('')
    expect(log.length).toBeGreaterThan(0)
    const files = readdirSync(world.dataDir, { recursive: true, encoding: 'utf8' })
      .map((name) => join(world.dataDir, name))
      .filter((path) => statSync(path).isFile())
      .map((path) => readFileSync(path))
    expect(files.length).toBeGreaterThan(0)
    for (const password of passwords) {
      expect(answers).not.toContain(password)
      expect(answers).not.toContain(encodeURIComponent(password))
      expect(log).not.toContain(password)
      for (const file of files) expect(file.includes(Buffer.from(password))).toBe(false)
    }
    // What is shown is there: the user and host, the password as ***.
    expect(answers).toContain(`irish:***@${socks.host}`)
  })
})

describe('a proxy set with reconnect', () => {
  let unmute: () => void
  let world: World
  let socks: TestProxy

  beforeAll(async () => {
    unmute = muteLibsignalLogs()
    // A long backoff: a reconnect that comes quickly can only be the command's, not the retry's.
    world = await startWorld({ baseMs: 60_000, maxMs: 60_000, factor: 1 })
    socks = await startSocksProxy()
  })

  afterAll(async () => {
    await world?.close()
    await socks?.close()
    unmute?.()
  })

  it('reconnects at once, cancelling the retry a failed proxy scheduled', async () => {
    const account = await world.pair('Retry cancelled')
    const failing = world.events.mark()
    await value(world.core, 'accounts:set-proxy', { ids: [account.id], url: await downProxyUrl('socks5h'), reconnect: true })
    await world.events.next((m) => m.event === 'accounts:changed' && m.payload.id === account.id && m.payload.condition?.code === 'proxy-unreachable', {
      since: failing,
    })
    const waiting = await world.core.sessions.health(account.id)
    expect(waiting.nextRetryAt! - Date.now()).toBeGreaterThan(20_000)

    // Without reconnect the change waits for the next connect: nothing happens now.
    const quiet = world.events.mark()
    await value(world.core, 'accounts:set-proxy', { ids: [account.id], url: socks.url })
    expect(summaryOf(world.core, account.id).status).toBe('reconnecting')
    expect((await world.core.sessions.health(account.id)).nextRetryAt).toBe(waiting.nextRetryAt)

    await value(world.core, 'accounts:set-proxy', { ids: [account.id], url: socks.url, reconnect: true })
    await waitForStatus(world.core, world.events, account.id, 'connected', { since: quiet })
    expect((await world.core.sessions.health(account.id)).nextRetryAt).toBeNull()
    expect(socks.tunnels).toHaveLength(1)
  })
})
