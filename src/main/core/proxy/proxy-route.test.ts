// The route Baileys is given for one socket carries media and other HTTP through the proxy too: the
// fetch dispatcher (downloads, profile pictures) and the upload agent (Baileys uploads with node:http),
// each against a real proxy on 127.0.0.1 and a local HTTP server standing in for WhatsApp's media hosts.

import { createServer, get, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { downProxyUrl, startHttpConnectProxy, startSocksProxy, type TestProxy } from '../../../../test/support/test-proxies'
import { openProxyRoute } from './proxy-route'

describe('the proxy route of a socket', () => {
  let media: Server
  let mediaHost: string
  const proxies: TestProxy[] = []

  beforeAll(async () => {
    media = createServer((req, res) => res.end(`media ${req.url}`))
    await new Promise<void>((resolve) => media.listen(0, '127.0.0.1', resolve))
    mediaHost = `127.0.0.1:${(media.address() as AddressInfo).port}`
    proxies.push(await startHttpConnectProxy(), await startSocksProxy('pw', 'socks5h'), await startSocksProxy('pw', 'socks5'))
  })

  afterAll(async () => {
    for (const proxy of proxies) await proxy.close()
    await new Promise<void>((resolve) => media.close(() => resolve()))
  })

  it.each([0, 1, 2])('fetches and uploads through the proxy (%#: http, socks5h, socks5)', async (index) => {
    const proxy = proxies[index]!
    const route = await openProxyRoute(proxy.url)
    const before = proxy.tunnels.length
    const fetched = await fetch(`http://${mediaHost}/download`, { ...route.socketConfig.options } as RequestInit)
    expect(await fetched.text()).toBe('media /download')
    const uploaded = await new Promise<string>((resolve, reject) => {
      get(`http://${mediaHost}/upload`, { agent: route.socketConfig.fetchAgent }, (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve(body))
      }).on('error', reject)
    })
    expect(uploaded).toBe('media /upload')
    expect(proxy.tunnels.slice(before)).toEqual([mediaHost, mediaHost])
    // Media failures are not the socket's: only the socket's agent reports.
    expect(route.failure()).toBeNull()
    route.close()
  })

  it('fails a fetch through a proxy that is down, rather than going direct', async () => {
    const route = await openProxyRoute(await downProxyUrl('socks5h'))
    await expect(fetch(`http://${mediaHost}/x`, { ...route.socketConfig.options } as RequestInit)).rejects.toThrow()
    route.close()
  })

  it('names the proxy by host and keeps the password out of what it reports', async () => {
    const proxy = proxies[0]!
    const route = await openProxyRoute(proxy.wrongPasswordUrl)
    expect(route.host).toBe(proxy.host)
    await expect(
      new Promise((resolve, reject) => get(`http://${mediaHost}/`, { agent: route.socketConfig.agent }, resolve).on('error', reject)),
    ).rejects.toThrow(/407/)
    expect(route.failure()).toBe('it answered 407 Proxy Authentication Required')
    route.close()
  })
})
