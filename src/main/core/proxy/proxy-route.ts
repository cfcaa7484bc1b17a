// How one socket of an account reaches WhatsApp through its proxy (docs/proxies-and-limits.md): the
// WebSocket through an `http.Agent` (https-proxy-agent asks an HTTP proxy with CONNECT, socks-proxy-agent
// speaks SOCKS5), media uploads through a second such agent (Baileys uploads with node:https and its
// `fetchAgent`), and every other HTTP fetch through an undici dispatcher (undici's ProxyAgent, or an
// Agent whose connector is fetch-socks). Main process, Electron-free.
//
// There is no direct path: every connection Baileys makes for this socket is given one of these, and a
// proxy that refuses or cannot be reached fails the connection. The socket's agent records why, so the
// close that follows is told apart from WhatsApp closing it. Never log the URL or the password.

import { lookup } from 'node:dns'
import { STATUS_CODES, type Agent as HttpAgent, type ClientRequest } from 'node:http'
import type { Socket } from 'node:net'
import type { SocketConfig } from '@whiskeysockets/baileys'
import type * as FetchSocks from 'fetch-socks'
import type * as HttpsProxy from 'https-proxy-agent'
import type * as SocksProxy from 'socks-proxy-agent'
import type * as Undici from 'undici'
import type { Dispatcher } from 'undici'
import { proxyHost, type ProxyScheme } from '../../../shared/proxy'

/** How long the proxy may take to open a tunnel before the attempt counts as failed. */
export const PROXY_CONNECT_TIMEOUT_MS = 10_000

export interface ProxyRoute {
  /** host:port of the proxy, for messages (never the credentials). */
  readonly host: string
  /** What Baileys takes for this socket: the WebSocket's agent, the upload agent and the fetch dispatcher. */
  readonly socketConfig: Pick<SocketConfig, 'agent' | 'fetchAgent' | 'options'>
  /** Why the proxy failed the socket's last connection, in words without credentials; null when it did not. */
  failure(): string | null
  /** Closes the fetch dispatcher's pooled connections (the socket closed). */
  close(): void
}

type AgentWithConnect = HttpAgent & { connect(req: ClientRequest, options: unknown): Promise<Socket | HttpAgent> }

interface ProxyLibraries {
  socksConnector: typeof FetchSocks.socksConnector
  HttpsProxyAgent: typeof HttpsProxy.HttpsProxyAgent
  SocksProxyAgent: typeof SocksProxy.SocksProxyAgent
  UndiciAgent: typeof Undici.Agent
  ProxyAgent: typeof Undici.ProxyAgent
}

let libraries: Promise<ProxyLibraries> | null = null

/**
 * The proxy libraries, loaded by the first socket that has a proxy: about 70 ms of every start
 * (undici alone is most of it) that a server whose accounts have none would pay for nothing
 * (docs/performance.md, "The idle server").
 */
function proxyLibraries(): Promise<ProxyLibraries> {
  libraries ??= Promise.all([import('fetch-socks'), import('https-proxy-agent'), import('socks-proxy-agent'), import('undici')]).then(
    ([fetchSocks, httpsProxy, socksProxy, undici]) => ({
      socksConnector: fetchSocks.socksConnector,
      HttpsProxyAgent: httpsProxy.HttpsProxyAgent,
      SocksProxyAgent: socksProxy.SocksProxyAgent,
      UndiciAgent: undici.Agent,
      ProxyAgent: undici.ProxyAgent,
    }),
    (error: unknown) => {
      // Not kept: the next proxied connect tries again.
      libraries = null
      throw error
    },
  )
  return libraries
}

/** Builds the route for one socket. `url` was checked by the contract (ProxyUrlSchema) when it was set. */
export async function openProxyRoute(url: string, options: { timeoutMs?: number } = {}): Promise<ProxyRoute> {
  const { HttpsProxyAgent, SocksProxyAgent, ...fetchLibraries } = await proxyLibraries()
  const parsed = new URL(url)
  const scheme = parsed.protocol as ProxyScheme
  const secrets = [parsed.password, safeDecode(parsed.password)].filter((s) => s.length > 0)
  const timeoutMs = options.timeoutMs ?? PROXY_CONNECT_TIMEOUT_MS
  let failure: string | null = null

  const makeAgent = (): AgentWithConnect =>
    (scheme === 'http:' ? new HttpsProxyAgent(url) : new SocksProxyAgent(url, { timeout: timeoutMs })) as unknown as AgentWithConnect
  const socketAgent = watchFailures(makeAgent(), timeoutMs, (why) => {
    failure = withoutSecrets(why, secrets)
  })
  const dispatcher = fetchDispatcher(fetchLibraries, parsed, scheme, timeoutMs)

  return {
    host: proxyHost(url),
    socketConfig: {
      agent: socketAgent as unknown as SocketConfig['agent'],
      fetchAgent: makeAgent() as unknown as SocketConfig['fetchAgent'],
      // Node's fetch takes undici's dispatchers; the two packages' types differ only in name.
      options: { dispatcher: dispatcher as unknown as RequestInit['dispatcher'] },
    },
    failure: () => failure,
    close() {
      void dispatcher.close().catch(() => undefined)
    },
  }
}

/**
 * Lets every tunnel the agent opens fail loudly: an HTTP proxy's refusal (407, 403, 502) comes back to
 * https-proxy-agent as a response it replays to the WebSocket, which Baileys would only time out on; here
 * it is an error at once. A proxy that does not answer within `timeoutMs` fails the same way.
 */
function watchFailures(agent: AgentWithConnect, timeoutMs: number, report: (why: string) => void): AgentWithConnect {
  const connect = agent.connect.bind(agent)
  agent.connect = async (req, connectOptions) => {
    let refused: number | null = null
    req.once('proxyConnect', (answer: { statusCode?: number }) => {
      if (answer.statusCode !== 200) refused = answer.statusCode ?? 0
    })
    let timer: NodeJS.Timeout | undefined
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)
      })
      const socket = await Promise.race([connect(req, connectOptions), deadline])
      if (refused !== null) {
        ;(socket as Socket).destroy?.()
        throw new Error(`it answered ${refused} ${STATUS_CODES[refused] ?? ''}`.trim())
      }
      return socket
    } catch (err) {
      report(err instanceof Error ? err.message : String(err))
      throw err
    } finally {
      clearTimeout(timer)
    }
  }
  return agent
}

function fetchDispatcher(
  { socksConnector, UndiciAgent, ProxyAgent }: Pick<ProxyLibraries, 'socksConnector' | 'UndiciAgent' | 'ProxyAgent'>,
  url: URL,
  scheme: ProxyScheme,
  timeoutMs: number,
): Dispatcher {
  if (scheme === 'http:') return new ProxyAgent({ uri: url.href, proxyTls: { timeout: timeoutMs } })
  const connect = socksConnector(
    {
      type: 5,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port),
      ...(url.username ? { userId: safeDecode(url.username), password: safeDecode(url.password) } : {}),
    },
    { timeout: timeoutMs },
  )
  // socks5h: the proxy resolves the name. socks5: this machine does, and the proxy gets the address
  // (the TLS server name still comes from the request's host).
  if (scheme === 'socks5h:') return new UndiciAgent({ connect })
  return new UndiciAgent({
    connect(options, callback) {
      lookup(options.hostname, (err, address) => (err ? callback(err, null) : void connect({ ...options, hostname: address }, callback)))
    },
  })
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}

/** A library's error message may echo what it was given; the password never leaves here. */
function withoutSecrets(message: string, secrets: string[]): string {
  let out = message
  for (const secret of secrets) out = out.split(secret).join('***')
  return out.length > 300 ? `${out.slice(0, 300)}…` : out
}
