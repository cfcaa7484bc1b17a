// Real proxies for tests, on 127.0.0.1: an HTTP proxy that answers CONNECT (the `proxy` package) and a
// SOCKS5 server (@pondwader/socks5-server), each with a user and password, each counting the tunnels it
// opened and the attempts it refused. Test-only: never import it from app code. Both stop with close().

import { createServer as createHttpServer, type IncomingMessage } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { createServer as createSocksServer } from '@pondwader/socks5-server'
import { createProxy } from 'proxy'

export interface TestProxy {
  /** `http://user:password@127.0.0.1:port` or `socks5h://…`, with the credentials it accepts. */
  readonly url: string
  /** The same proxy with a wrong password. */
  readonly wrongPasswordUrl: string
  readonly host: string
  /** Tunnels opened, each as the `host:port` asked for. */
  readonly tunnels: string[]
  /** Attempts refused for their credentials. */
  readonly refused: () => number
  close(): Promise<void>
}

const USER = 'irish'

/** An HTTP proxy answering CONNECT, which wants `irish:<password>` (Proxy-Authorization: Basic). */
export async function startHttpConnectProxy(password = 'pass word/with:colon'): Promise<TestProxy> {
  const tunnels: string[] = []
  let refused = 0
  const server = createProxy(createHttpServer())
  const expected = `Basic ${Buffer.from(`${USER}:${password}`).toString('base64')}`
  server.authenticate = (req: IncomingMessage) => {
    const ok = req.headers['proxy-authorization'] === expected
    if (!ok) refused += 1
    return ok
  }
  server.on('connect', (req: IncomingMessage) => {
    // Counted once the credentials passed: the proxy package checks them in its own listener first.
    if (req.headers['proxy-authorization'] === expected) tunnels.push(req.url ?? '')
  })
  const port = await listen(server)
  const sockets = trackSockets(server)
  const host = `127.0.0.1:${port}`
  return {
    url: `http://${USER}:${encodeURIComponent(password)}@${host}`,
    wrongPasswordUrl: `http://${USER}:wrong@${host}`,
    host,
    tunnels,
    refused: () => refused,
    close: () => close(server, sockets),
  }
}

/** A SOCKS5 server wanting `irish:<password>`; `scheme` says which form of URL the tests are given. */
export async function startSocksProxy(password = 's0cks secret', scheme: 'socks5' | 'socks5h' = 'socks5h'): Promise<TestProxy> {
  const tunnels: string[] = []
  let refused = 0
  const socks = createSocksServer()
  socks.setAuthHandler((connection) => {
    const ok = connection.username === USER && connection.password === password
    if (!ok) refused += 1
    return ok
  })
  socks.setRulesetValidator((connection) => {
    tunnels.push(`${connection.destAddress}:${connection.destPort}`)
    return true
  })
  const server = createNetServer((socket) => socks._handleConnection(socket))
  const port = await listen(server)
  const sockets = trackSockets(server)
  const host = `127.0.0.1:${port}`
  return {
    url: `${scheme}://${USER}:${encodeURIComponent(password)}@${host}`,
    wrongPasswordUrl: `${scheme}://${USER}:wrong@${host}`,
    host,
    tunnels,
    refused: () => refused,
    close: () => close(server, sockets),
  }
}

/** An address where nothing listens: a proxy that is down. */
export async function downProxyUrl(scheme: 'http' | 'socks5h' = 'socks5h'): Promise<string> {
  const server = createNetServer()
  const port = await listen(server)
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `${scheme}://${USER}:never@127.0.0.1:${port}`
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return (server.address() as AddressInfo).port
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>()
  server.on('connection', (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  return sockets
}

async function close(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const socket of sockets) socket.destroy()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
