// The webhook address policy: every IPv6 form that carries an IPv4 address is judged by that address,
// deprecated and special-purpose ranges are refused, and the neighbours of each refused range (what
// must still be allowed) pass. Checked at add time (parseWebhookUrl) and at each connection's lookup.

import type { LookupAddress } from 'node:dns'
import { describe, expect, it } from 'vitest'
import { addressScope, guardedLookup, parseWebhookUrl } from './url-policy'

describe('addressScope', () => {
  it.each([
    // 169.254.169.254 (cloud metadata) in every IPv6 wrapping
    ['[::a9fe:a9fe]', 'IPv4-compatible'],
    ['[::169.254.169.254]', 'IPv4-compatible, dotted'],
    ['[::ffff:a9fe:a9fe]', 'IPv4-mapped'],
    ['[::ffff:0:a9fe:a9fe]', 'IPv4-translated'],
    ['[64:ff9b::a9fe:a9fe]', 'NAT64'],
    ['[64:ff9b:1::808:808]', 'local-use NAT64 (RFC 8215), whatever it carries'],
    ['[2002:a9fe:a9fe::1]', '6to4'],
    ['[2002:0a00:0001::1]', '6to4 of 10.0.0.1'],
    // Teredo with a public server (65.54.227.120) and a client at 10.0.0.1 (its bits inverted)
    ['[2001:0:4136:e378:8000:63bf:f5ff:fffe]', 'Teredo to a private client'],
    ['[2001:0:0a00:0001:8000:63bf:f7f7:f7f7]', 'Teredo through a private server'],
    ['[fec0::1]', 'deprecated site-local'],
    ['[feff:ffff::1]', 'the top of site-local'],
    ['[fd00::1]', 'unique-local'],
    ['[fe80::1]', 'link-local'],
    ['[ff02::1]', 'multicast'],
    ['[::]', 'unspecified'],
    ['[100::1]', 'discard'],
    ['[2001:db8::1]', 'documentation'],
    ['169.254.169.254', 'link-local'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared (CGNAT)'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['198.18.0.1', 'benchmarking'],
  ])('refuses %s (%s)', (address) => {
    expect(addressScope(address)).toBe('private')
  })

  it.each([
    ['[::808:808]', 'IPv4-compatible of a public address'],
    ['[::ffff:808:808]', 'IPv4-mapped of a public address'],
    ['[64:ff9b::808:808]', 'NAT64 of a public address'],
    ['[2002:808:808::1]', '6to4 of a public address'],
    ['[2001:0:4136:e378:8000:63bf:f7f7:f7f7]', 'Teredo between public addresses'],
    ['[2001:4860:4860::8888]', 'global unicast beside the Teredo block'],
    ['[2606:4700::1111]', 'global unicast'],
    ['[2003::1]', 'just past 6to4'],
    ['[64:ff9a::a9fe:a9fe]', 'just before NAT64'],
    ['169.253.255.255', 'just below link-local'],
    ['169.255.0.0', 'just above link-local'],
    ['172.15.255.255', 'just below 172.16/12'],
    ['172.32.0.0', 'just above 172.16/12'],
    ['100.63.255.255', 'just below CGNAT'],
    ['100.128.0.0', 'just above CGNAT'],
    ['9.255.255.255', 'just below 10/8'],
    ['11.0.0.0', 'just above 10/8'],
    ['192.169.0.0', 'just above 192.168/16'],
    ['8.8.8.8', 'public'],
  ])('allows %s (%s)', (address) => {
    expect(addressScope(address)).toBe('public')
  })

  it.each(['127.0.0.1', '127.255.0.9', '[::1]', '::1', '[::ffff:127.0.0.1]', '[::7f00:1]', '[64:ff9b::7f00:1]'])('takes %s for this machine', (address) => {
    expect(addressScope(address)).toBe('loopback')
  })

  it.each(['hooks.example.com', 'localhost', '10', '0x0a.1', ''])('takes %s for a host name, not an address', (host) => {
    expect(addressScope(host)).toBeNull()
  })
})

describe('parseWebhookUrl', () => {
  it.each(['https://[::a9fe:a9fe]/x', 'https://[64:ff9b::a9fe:a9fe]/x', 'https://[2002:a9fe:a9fe::1]/x', 'https://[fec0::1]/x', 'https://[2001:0:4136:e378:8000:63bf:f5ff:fffe]/x'])(
    'refuses %s unless private targets are allowed',
    (url) => {
      expect(() => parseWebhookUrl(url, { allowPrivate: false })).toThrow(expect.objectContaining({ code: 'invalid-input', message: expect.stringMatching(/private or link-local.*--webhooks-allow-private/) }))
      expect(parseWebhookUrl(url, { allowPrivate: true })).toBe(new URL(url).href)
    },
  )

  it('allows a public IPv6 literal and a name', () => {
    expect(parseWebhookUrl('https://[2606:4700::1111]/x', { allowPrivate: false })).toBe('https://[2606:4700::1111]/x')
    expect(parseWebhookUrl('https://hooks.example.com/x', { allowPrivate: false })).toBe('https://hooks.example.com/x')
  })
})

describe('guardedLookup', () => {
  function lookup(host: string, allowPrivate = false): Promise<{ error: (Error & { code?: string }) | null; addresses: LookupAddress[] }> {
    return new Promise((resolve) => {
      guardedLookup(allowPrivate)(host, { all: true }, (error, addresses) => resolve({ error, addresses: addresses as LookupAddress[] }))
    })
  }

  it('refuses, at connection time, an answer in any wrapping of a private address', async () => {
    for (const address of ['::a9fe:a9fe', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', 'fec0::1', '169.254.169.254']) {
      const { error } = await lookup(address)
      expect(error).toMatchObject({ code: 'EPRIVATE', message: expect.stringMatching(/private or link-local/) })
    }
  })

  it('lets public and loopback answers through, and private ones when allowed', async () => {
    expect((await lookup('127.0.0.1')).addresses).toEqual([{ address: '127.0.0.1', family: 4 }])
    expect((await lookup('2606:4700::1111')).addresses).toEqual([{ address: '2606:4700::1111', family: 6 }])
    expect((await lookup('fec0::1', true)).addresses).toEqual([{ address: 'fec0::1', family: 6 }])
  })
})
