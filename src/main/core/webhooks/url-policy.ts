// Where a webhook may point: the transport rule every outgoing secret follows (transfer/remote-server.ts:
// https anywhere, http only to loopback), plus no private or link-local targets unless the operator
// allowed them (`--webhooks-allow-private`), so a webhook cannot be aimed at the server's own network
// (cloud metadata at 169.254.169.254, an admin page on 10.x). Main process, Electron-free.

import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns'
import { BlockList, isIP, type LookupFunction } from 'node:net'
import { AppError } from '../../../shared/errors'
import { isLoopbackHost, requireSecureTransport } from '../transfer/remote-server'

const PRIVATE = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv6')
}

/** Private, link-local, shared (CGNAT), multicast or unspecified; loopback is not (it is allowed). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (family === 0) return false
  if (isLoopbackHost(bare)) return false
  if (family === 6) {
    // An IPv4-mapped address (::ffff:10.0.0.1) is that IPv4 address.
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare)
    if (mapped) return isPrivateAddress(mapped[1]!)
    return PRIVATE.check(bare, 'ipv6')
  }
  return PRIVATE.check(bare, 'ipv4')
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
      const refused = allowPrivate ? undefined : list.find((a) => isPrivateAddress(a.address))
      if (refused) return callback(Object.assign(new Error(privateRefusal(hostname)), { code: 'EPRIVATE' }), [])
      if (options.all) return callback(null, list)
      callback(null, list[0]!.address, list[0]!.family)
    })
  }
}
