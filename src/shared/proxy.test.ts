import { describe, expect, it } from 'vitest'
import { ProxyUrlSchema, proxyHost, proxyUrlProblem, redactProxyUrl } from './proxy'

describe('proxy URLs', () => {
  it('takes http, socks5 and socks5h with or without credentials', () => {
    for (const url of ['http://proxy.example:3128', 'socks5://u:p@10.0.0.1:1080', 'socks5h://user@[::1]:1080', 'http://u:p%40ss@h:8080/']) {
      expect(proxyUrlProblem(url), url).toBeNull()
    }
  })

  it('says what is wrong with anything else', () => {
    expect(proxyUrlProblem('proxy.example:3128')).toMatch(/starts with http:\/\/, socks5:\/\/ or socks5h:\/\//)
    expect(proxyUrlProblem('ftp://h:21')).toMatch(/not ftp:/)
    expect(proxyUrlProblem('http://h')).toMatch(/no port/)
    expect(proxyUrlProblem('http://h:1?x=1')).toMatch(/no path, query or fragment/)
    expect(proxyUrlProblem('http://:pw@h:1')).toMatch(/no user name/)
    expect(ProxyUrlSchema.safeParse('   ').success).toBe(false)
  })

  it('shows the URL with its password as *** and names the host without credentials', () => {
    expect(redactProxyUrl('socks5h://user:s3cr%40t@proxy.example:1080')).toBe('socks5h://user:***@proxy.example:1080')
    expect(redactProxyUrl('http://user@proxy.example:3128')).toBe('http://user@proxy.example:3128')
    expect(redactProxyUrl('http://proxy.example:3128')).toBe('http://proxy.example:3128')
    expect(redactProxyUrl('::')).toBe('proxy URL unreadable')
    expect(proxyHost('socks5://u:p@h.example:1080')).toBe('h.example:1080')
  })
})
