// The passkey helper's build (scripts/build-passkey-helper.mjs): an MV3 extension whose content script
// runs on https://web.whatsapp.com only and never fetches, whose service worker reaches only the
// servers the person grants (or the build names), and a store zip that unzip accepts and that is the
// same bytes every time.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { buildPasskeyHelper } from '../scripts/build-passkey-helper.mjs'
import { skipReason } from './support/requirements'

const root = mkdtempSync(join(tmpdir(), 'irish-helper-build-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

describe('the passkey helper build', () => {
  it('writes an MV3 manifest: content script on web.whatsapp.com only, hosts optional unless the build names them', async () => {
    const plain = await buildPasskeyHelper({ out: join(root, 'plain') })
    const manifest = JSON.parse(readFileSync(join(plain.dir, 'manifest.json'), 'utf8'))
    expect(manifest).toMatchObject({
      manifest_version: 3,
      version: JSON.parse(readFileSync('package.json', 'utf8')).version,
      background: { service_worker: 'service-worker.js' },
      content_scripts: [{ matches: ['https://web.whatsapp.com/*'], js: ['content.js'], run_at: 'document_start' }],
      permissions: [],
      host_permissions: [],
      optional_host_permissions: ['http://*/*', 'https://*/*'],
    })
    const named = await buildPasskeyHelper({ out: join(root, 'named'), hosts: ['http://127.0.0.1:7420', 'https://irish.example.com/'] })
    expect(JSON.parse(readFileSync(join(named.dir, 'manifest.json'), 'utf8')).host_permissions).toEqual(['http://127.0.0.1:7420/*', 'https://irish.example.com/*'])
    await expect(buildPasskeyHelper({ out: join(root, 'bad'), hosts: ['http://127.0.0.1:7420/api'] })).rejects.toThrow(/not an http\(s\) origin/)
  })

  it('keeps the network in the service worker: the content script runs the WebAuthn call and fetches nothing', async () => {
    const { dir } = await buildPasskeyHelper({ out: join(root, 'scripts') })
    const content = readFileSync(join(dir, 'content.js'), 'utf8')
    expect(content).toContain('navigator.credentials.get')
    expect(content).not.toMatch(/\bfetch\(|XMLHttpRequest|WebSocket|sendBeacon/)
    expect(readFileSync(join(dir, 'service-worker.js'), 'utf8')).toContain('/api/passkey-ceremony/')
  })

  it('zips the unpacked directory for the stores, the same bytes on every build', async () => {
    const first = await buildPasskeyHelper({ out: join(root, 'zip-a') })
    const second = await buildPasskeyHelper({ out: join(root, 'zip-b') })
    expect(readFileSync(first.zip).equals(readFileSync(second.zip))).toBe(true)
  })

  // unzip (Info-ZIP) is an independent reader of the format: a system package, so without it this case
  // skips and says why (and fails where every part is required: support/requirements.ts).
  const noUnzip = spawnSync('unzip', ['-v']).error ? 'unzip is not installed (apt-get install unzip)' : null
  it.skipIf(skipReason('the store zip read by unzip', noUnzip) !== null)('writes a store zip that unzip reads back file for file', async () => {
    const first = await buildPasskeyHelper({ out: join(root, 'zip-c') })
    expect(execFileSync('unzip', ['-Z1', first.zip], { encoding: 'utf8' }).trim().split('\n')).toEqual(first.files)
    expect(execFileSync('unzip', ['-t', first.zip], { encoding: 'utf8' })).toContain('No errors detected')
    expect(execFileSync('unzip', ['-p', first.zip, 'manifest.json'], { encoding: 'utf8' })).toBe(readFileSync(join(first.dir, 'manifest.json'), 'utf8'))
  })
})
