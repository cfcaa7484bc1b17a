// Which Host names the headless server answers, and which Origins may open its event WebSocket or call
// its API from a browser. Node only. Without this, a web page whose DNS name is rebound to 127.0.0.1
// gets the server's pages under its own origin (DNS rebinding); a wrong Host gets 421, a foreign
// Origin 403. The one exception: a browser extension's origin on the passkey ceremony's two routes
// (isExtensionOrigin), whose single-use token is their only credential.

import { isIP } from 'node:net'
import { networkInterfaces } from 'node:os'

export interface HostPolicyOptions {
  /** The address the server is bound to. */
  bindHost: string
  /** Extra names or addresses (from --allowed-host, the public URL, the fleet's advertised URLs). */
  allowedHosts?: readonly string[]
}

export interface HostPolicy {
  /** True when the Host header names this server. */
  hostAllowed(hostHeader: string | undefined): boolean
  /** True when there is no Origin (a non-browser client) or it is an origin this server serves. */
  originAllowed(originHeader: string | undefined, hostHeader: string | undefined): boolean
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1']

export function createHostPolicy(options: HostPolicyOptions): HostPolicy {
  const names = new Set<string>(LOOPBACK_NAMES)
  const add = (value: string): void => {
    const name = hostnameOf(value)
    if (name) names.add(name)
  }
  add(options.bindHost)
  if (options.bindHost === '0.0.0.0' || options.bindHost === '::') {
    // Bound to every interface: each of the machine's own addresses names it.
    for (const list of Object.values(networkInterfaces())) for (const info of list ?? []) names.add(info.address.toLowerCase())
  }
  for (const host of options.allowedHosts ?? []) add(host)

  const hostAllowed = (hostHeader: string | undefined): boolean => {
    const name = hostHeader ? hostnameOf(hostHeader) : null
    if (name === null) return false
    return names.has(name) || (name.startsWith('127.') && isIP(name) === 4)
  }

  return {
    hostAllowed,
    originAllowed(originHeader, hostHeader) {
      if (originHeader === undefined) return true
      let origin: URL
      try {
        origin = new URL(originHeader)
      } catch {
        return false
      }
      if (origin.protocol !== 'http:' && origin.protocol !== 'https:') return false
      // The page must come from this server: the same host and port the request was sent to.
      return origin.host.toLowerCase() === (hostHeader ?? '').toLowerCase() && hostAllowed(origin.host)
    },
  }
}

/**
 * "Example.com:7420" → "example.com"; "[::1]:80" → "::1"; a full URL → its host name. Null when the
 * value is not a host (a path, credentials, garbage).
 */
export function hostnameOf(value: string): string | null {
  const trimmed = value.trim().toLowerCase()
  if (trimmed === '') return null
  if (isIP(trimmed) === 6) return trimmed
  try {
    const url = new URL(trimmed.includes('://') ? trimmed : `http://${trimmed}`)
    if (url.username || url.password) return null
    if (!trimmed.includes('://') && (url.pathname !== '/' || url.search || url.hash)) return null
    const host = url.hostname
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  } catch {
    return null
  }
}

/**
 * A browser extension's origin: what the passkey helper's service worker sends (Chromium's
 * chrome-extension://<32 letters a-p>, Firefox's moz-extension://<uuid>). Accepted on the passkey
 * ceremony's routes only; every other route still refuses it.
 */
export function isExtensionOrigin(originHeader: string | undefined): boolean {
  if (originHeader === undefined) return false
  return /^chrome-extension:\/\/[a-p]{32}$/.test(originHeader) || /^moz-extension:\/\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(originHeader)
}
