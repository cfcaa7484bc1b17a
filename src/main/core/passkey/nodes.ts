// The binary nodes of passkey-gated linking on the companion's side: the two notifications WhatsApp
// sends and the IQs the companion answers with, all in namespace md. Main process, Electron-free.
// Names and shapes: docs/passkey-linking.md.

import { getBinaryNodeChild, jidDecode, S_WHATSAPP_NET, type BinaryNode } from '@whiskeysockets/baileys'
import { AppError } from '../../../shared/errors'

export const CHALLENGE_NOTIFICATION = 'passkey_prologue_request'
export const CONTINUATION_NOTIFICATION = 'crsc_continuation'

/** Only WhatsApp itself (s.whatsapp.net, no user) may start or continue a passkey step. */
export function isFromServer(node: BinaryNode): boolean {
  const from = jidDecode(node.attrs.from)
  return from?.server === 's.whatsapp.net' && !from.user
}

/** The bytes of `tag`'s content in `node`, or null when the child is missing or not binary/text. */
export function childBytes(node: BinaryNode | undefined, tag: string): Buffer | null {
  const content = getBinaryNodeChild(node, tag)?.content
  if (content instanceof Uint8Array) return Buffer.from(content)
  if (typeof content === 'string') return Buffer.from(content, 'utf8')
  return null
}

function iq(type: 'get' | 'set', content: BinaryNode): BinaryNode {
  return { tag: 'iq', attrs: { to: S_WHATSAPP_NET, type, xmlns: 'md' }, content: [content] }
}

/** Asks for the request options again when the challenge's own copy could not be read. */
export function optionsQuery(): BinaryNode {
  return iq('get', { tag: 'passkey_request_options', attrs: {} })
}

/** Asks for the ref the ephemeral identity names. */
export function refQuery(): BinaryNode {
  return iq('get', { tag: 'ref', attrs: {} })
}

export function readRef(result: BinaryNode | undefined): string {
  const ref = childBytes(result, 'ref')
  if (!ref?.length) throw new AppError('unavailable', 'WhatsApp answered the passkey ref request without a ref. Try again.')
  return ref.toString('utf8')
}

export interface Prologue {
  credentialId: Uint8Array
  assertionJson: Uint8Array
  payload: Uint8Array
  /** Sent only while the hand-off key is valid. */
  handoffProof: Uint8Array | null
}

export function prologueQuery(prologue: Prologue): BinaryNode {
  const content: BinaryNode[] = [
    { tag: 'credential_id', attrs: {}, content: prologue.credentialId },
    { tag: 'webauthn_assertion', attrs: {}, content: prologue.assertionJson },
    { tag: 'prologue_payload', attrs: {}, content: prologue.payload },
  ]
  if (prologue.handoffProof) content.push({ tag: 'pairing_handoff_proof', attrs: {}, content: prologue.handoffProof })
  return iq('set', { tag: 'passkey_prologue', attrs: {}, content })
}

/** Opens the commitment once the phone's ephemeral identity is known. */
export function nonceQuery(companionNonce: Uint8Array): BinaryNode {
  return iq('set', { tag: 'companion_nonce', attrs: {}, content: companionNonce })
}

export function encryptedRequestQuery(encryptedRequest: Uint8Array): BinaryNode {
  return iq('set', { tag: 'encrypted_pairing_request', attrs: {}, content: encryptedRequest })
}
