// What the passkey specs share: a P-256 passkey the test generates (node:crypto), registered for a phone
// with the server's embedded simulator through its admin API; the phone's side played through that API
// (scan, the code the phone shows); a CDP virtual authenticator holding the passkey's private half; and
// the server's API for the states the page shows. Nothing here leaves 127.0.0.1.

import { generateKeyPairSync, randomBytes } from 'node:crypto'
import type { BrowserContext, Page } from '@playwright/test'
import { createApiClient } from '../../src/shared/api-client'
import type { CommandInput, CommandName, CommandOutput } from '../../src/shared/contract'
import type { Server } from './fixtures'

export interface TestPasskey {
  phone: string
  /** Base64url, as WebAuthn JSON writes it. */
  credentialId: string
  /** PKCS#8 DER, base64: what WebAuthn.addCredential takes. */
  privateKey: string
  publicKeyJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string }
}

export function newPasskey(phone: string): TestPasskey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = publicKey.export({ format: 'jwk' })
  return {
    phone,
    credentialId: randomBytes(16).toString('base64url'),
    privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    publicKeyJwk: { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! },
  }
}

/** A command of the server's API, through the project's one client; throws with the server's words when it refuses. */
export async function api<C extends CommandName>(server: Server, command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  return createApiClient({ baseUrl: server.url, token: server.token }).call(command, input)
}

/** The embedded simulator's admin API (it takes the server's own token). */
export async function simulatorAdmin(server: Server): Promise<(path: string, body?: unknown) => Promise<{ status: number; json: unknown }>> {
  const info = await api(server, 'simulator:info', {})
  if (!info.admin) throw new Error('the e2e server runs no simulator')
  const admin = info.admin
  return async (path, body) => {
    const response = await fetch(`${admin}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, json: await response.json() }
  }
}

/** Registers the passkey's public half for its phone: every linking of that phone then asks for it. */
export async function registerPasskey(server: Server, passkey: TestPasskey): Promise<void> {
  const admin = await simulatorAdmin(server)
  const answer = await admin('/passkey', { phone: passkey.phone, credentialId: passkey.credentialId, publicKeyJwk: passkey.publicKeyJwk })
  if (answer.status !== 200) throw new Error(`POST /passkey answered ${answer.status}: ${JSON.stringify(answer.json)}`)
}

/** The phone scans the QR code; it answers as soon as WhatsApp asks for the passkey. */
export async function scanWithPhone(server: Server, qr: string, phone: string): Promise<unknown> {
  const admin = await simulatorAdmin(server)
  const answer = await admin('/scan', { qr, phone })
  if (answer.status !== 200) throw new Error(`POST /scan answered ${answer.status}: ${JSON.stringify(answer.json)}`)
  return answer.json
}

/** The confirmation code the phone shows. */
export async function codeOnPhone(server: Server, phone: string): Promise<string> {
  const admin = await simulatorAdmin(server)
  const answer = await admin(`/passkey/confirmation?phone=${phone}`)
  return (answer.json as { code: string }).code
}

/** A virtual authenticator on `page` (Chromium's DevTools protocol) that holds the passkey's private key. */
export async function holdPasskey(context: BrowserContext, page: Page, passkey: TestPasskey): Promise<void> {
  const cdp = await context.newCDPSession(page)
  await cdp.send('WebAuthn.enable', { enableUI: false })
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  })
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: Buffer.from(passkey.credentialId, 'base64url').toString('base64'),
      isResidentCredential: false,
      rpId: 'whatsapp.com',
      privateKey: passkey.privateKey,
      signCount: 0,
    },
  })
}

/** Resolves once `open()` is called: a route waits on it until the authenticator is in place. */
export function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { opened, open }
}
