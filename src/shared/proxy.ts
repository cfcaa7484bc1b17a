// An account's outbound proxy, as the contract takes it and shows it (docs/proxies-and-limits.md).
// Shared by every process: no electron, no node:*, no DOM. The core seals the whole URL at rest and
// connects through it (src/main/core/proxy); everything that leaves the core shows it redacted.

import { z } from 'zod'

/** `http:` is an HTTP proxy asked with CONNECT; `socks5:` resolves names here, `socks5h:` at the proxy. */
export const PROXY_SCHEMES = ['http:', 'socks5:', 'socks5h:'] as const
export type ProxyScheme = (typeof PROXY_SCHEMES)[number]

/** What the password of a proxy URL is shown as, everywhere outside the core. */
export const REDACTED_PASSWORD = '***'

const EXAMPLE = 'socks5://user:password@proxy.example:1080 or http://proxy.example:3128'

/** Why `value` is not a proxy URL this app takes, in words a person can act on; null when it is one. */
export function proxyUrlProblem(value: string): string | null {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return `This is not a proxy URL. Give one such as ${EXAMPLE}.`
  }
  if (!(PROXY_SCHEMES as readonly string[]).includes(url.protocol)) {
    return `A proxy URL starts with http://, socks5:// or socks5h://, not ${url.protocol}// (HTTPS and SOCKS4 proxies are not supported).`
  }
  if (!url.hostname) return `The proxy URL names no host. Give one such as ${EXAMPLE}.`
  if (!url.port) return `The proxy URL names no port: give it after the host, as in ${EXAMPLE}.`
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash) {
    return 'A proxy URL is a scheme, optional credentials, a host and a port: no path, query or fragment.'
  }
  if (url.password && !url.username) return 'The proxy URL has a password but no user name.'
  return null
}

/** A proxy URL as the operator gives it: trimmed, checked; kept as given (the core needs every character). */
export const ProxyUrlSchema = z
  .string()
  .trim()
  .min(1, `Give a proxy URL such as ${EXAMPLE}, or null for none.`)
  .max(2048, 'A proxy URL is at most 2048 characters.')
  .superRefine((value, ctx) => {
    const problem = proxyUrlProblem(value)
    if (problem) ctx.addIssue({ code: 'custom', message: problem })
  })

/**
 * The URL as it may be shown: its password, if any, replaced by ***. Never throws: a value that does not
 * parse (it was checked on the way in, so only a damaged one) shows as its scheme alone.
 */
export function redactProxyUrl(value: string): string {
  try {
    const url = new URL(value)
    if (url.password) url.password = REDACTED_PASSWORD
    return `${url.protocol}//${url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : ''}${url.host}`
  } catch {
    return 'proxy URL unreadable'
  }
}

/** host:port of a proxy URL, for messages that name the proxy without its credentials. */
export function proxyHost(value: string): string {
  try {
    return new URL(value).host
  } catch {
    return 'the proxy'
  }
}
