// Where a webhook may point: the transport rule every outgoing secret follows (transfer/remote-server.ts:
// https anywhere, http only to loopback), plus no private or link-local targets unless the operator
// allowed them (`--webhooks-allow-private`), so a webhook cannot be aimed at the server's own network
// (cloud metadata at 169.254.169.254, an admin page on 10.x), however the address is written. Checked
// when the webhook is added and again at each connection's address lookup. Main process, Electron-free.

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import type { LookupFunction } from 'node:net'
import ipaddr from 'ipaddr.js'
import { AppError } from '../../../shared/errors'
import { requireSecureTransport } from '../transfer/remote-server'

/**
 * Where an address leads: the public internet, this machine, or a network that is not public (private,
 * link-local, shared, multicast, reserved, documentation, deprecated site-local …).
 */
export type AddressScope = 'public' | 'loopback' | 'private'

/** IPv4 ranges (ipaddr.js names) that are routed on the public internet. */
const PUBLIC_V4 = new Set(['unicast', 'as112', 'amt'])

/**
 * The scope of an IP address, with every IPv6 form that carries an IPv4 address judged by that IPv4
 * address: IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible
 * (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:aabb:ccdd::) and Teredo (2001:0::, whose server
 * and client addresses are both judged). Null when `address` is not an IP address (a host name).
 */
export function addressScope(address: string): AddressScope | null {
  const bare = address.replace(/^\[|\]$/g, '')
  if (!ipaddr.isValid(bare)) return null
  // Only the four-part dotted form counts as IPv4 here: a URL's host is normalised to it already, and a
  // DNS answer is always in it; ipaddr.js alone would also read "10" or "0x0a.1" as addresses.
  if (!bare.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return null
  return scopeOf(ipaddr.parse(bare))
}

function scopeOf(ip: ipaddr.IPv4 | ipaddr.IPv6): AddressScope {
  if (ip.kind() === 'ipv4') {
    const range = ip.range()
    if (range === 'loopback') return 'loopback'
    return PUBLIC_V4.has(range) ? 'public' : 'private'
  }
  const v6 = ip as ipaddr.IPv6
  const carried = embeddedIPv4(v6)
  if (carried !== null) {
    const scopes = carried.map(scopeOf)
    if (scopes.includes('private')) return 'private'
    return scopes.includes('loopback') ? 'loopback' : 'public'
  }
  const range = v6.range()
  if (range === 'loopback') return 'loopback'
  // Global unicast only: unique-local, link-local, deprecated site-local (fec0::/10), multicast,
  // the unspecified address, discard, documentation and other special-purpose blocks are not public.
  return range === 'unicast' ? 'public' : 'private'
}

/** The IPv4 addresses an IPv6 address carries (and is delivered to), or null when it carries none. */
function embeddedIPv4(ip: ipaddr.IPv6): ipaddr.IPv4[] | null {
  const p = ip.parts
  const v4 = (high: number, low: number): ipaddr.IPv4 => new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff])
  const range = ip.range()
  if (range === 'ipv4Mapped' || range === 'rfc6145') return [v4(p[6]!, p[7]!)]
  if (range === '6to4') return [v4(p[1]!, p[2]!)]
  // Teredo: the server's address in clear, the client's (where packets go) with every bit inverted.
  if (range === 'teredo') return [v4(p[2]!, p[3]!), v4(~p[6]! & 0xffff, ~p[7]! & 0xffff)]
  if (range === 'rfc6052') {
    // The well-known NAT64 prefix 64:ff9b::/96 carries the address in its last 32 bits. The local-use
    // prefix 64:ff9b:1::/48 (RFC 8215) reaches whatever network its operator translates to: private.
    return p[2] === 0 ? [v4(p[6]!, p[7]!)] : [new ipaddr.IPv4([0, 0, 0, 0])]
  }
  // IPv4-compatible (deprecated, RFC 4291): 96 zero bits, then the address; :: and ::1 are not.
  if (p.slice(0, 6).every((part) => part === 0) && (p[6] !== 0 || p[7]! > 1)) return [v4(p[6]!, p[7]!)]
  return null
}

/** Private, link-local, shared (CGNAT), multicast, reserved or unspecified; loopback is not (it is allowed). */
export function isPrivateAddress(address: string): boolean {
  return addressScope(address) === 'private'
}

/** Parses and checks a webhook address; returns it normalised. */
export function parseWebhookUrl(raw: string, options: { allowPrivate: boolean }): string {
  let url: URL
  try {
    url = new URL(raw.trim())
  } catch {
    // Not echoed: a pasted address can hold a secret.
    throw new AppError('invalid-input', 'The webhook address is not a URL. Give one like https://hooks.example.com/irish.')
  }
  if (url.username !== '' || url.password !== '') {
    throw new AppError('invalid-input', 'Put no user name or password in the webhook address: the receiver checks the x-irish-signature header instead.')
  }
  requireSecureTransport(url, {
    noun: 'The webhook address',
    risk: 'events (message text included) would cross the network unencrypted. Use https://',
  })
  if (!options.allowPrivate && isPrivateAddress(url.hostname)) {
    throw new AppError('invalid-input', privateRefusal(url.hostname))
  }
  return url.href
}

function privateRefusal(host: string): string {
  return (
    `Refusing ${host}: it is a private or link-local address, reachable only inside this server's network. ` +
    'Start the server with --webhooks-allow-private to allow such targets.'
  )
}

/**
 * A `lookup` for http.request that refuses names resolving to private addresses: checked when the
 * request connects, so a DNS answer that changes after webhooks:add cannot reach the private network.
 */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return function lookup(hostname: string, options: LookupOptions, callback): void {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, [])
      const list = addresses as LookupAddress[]
      // An answer that is not an address at all is refused like a private one.
      const refused = allowPrivate ? undefined : list.find((a) => (addressScope(a.address) ?? 'private') === 'private')
      if (refused) return callback(Object.assign(new Error(privateRefusal(hostname)), { code: 'EPRIVATE' }), [])
      if (options.all) return callback(null, list)
      callback(null, list[0]!.address, list[0]!.family)
    })
  }
}
