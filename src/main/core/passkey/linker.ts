// Passkey-gated linking on top of an unmodified Baileys socket, wrapped at its boundary: the two
// notifications are heard on sock.ws, the four IQs go through sock.query, the rotated adv secret goes
// into the creds through sock.ev ('creds.update'), so Baileys' own pair-success handler checks against
// it. The WebAuthn ceremony happens elsewhere (a browser, a desktop window, a test): the caller hands
// the assertion in with respond() and the person's "the codes match" with confirm(). Main process,
// Electron-free. Never log options, credentials, keys, nonces or codes. docs/passkey-linking.md.

import { randomBytes as cryptoRandomBytes } from 'node:crypto'
import type { AuthenticationCreds, BinaryNode } from '@whiskeysockets/baileys'
import { AppError, isAppError } from '../../../shared/errors'
import type { PasskeyRequestOptions } from '../../../shared/passkey'
import type { Logger } from '../logger'
import { closedConnection } from '../whatsapp/close-errors'
import {
  CHALLENGE_NOTIFICATION,
  childBytes,
  CONTINUATION_NOTIFICATION,
  encryptedRequestQuery,
  isFromServer,
  nonceQuery,
  optionsQuery,
  prologueQuery,
  readRef,
  refQuery,
} from './nodes'
import {
  ADV_SECRET_BYTES,
  commitment,
  confirmationCode,
  decodePrimaryIdentity,
  encodeCompanionIdentity,
  encodeProloguePayload,
  encryptionKey,
  encryptPairingRequest,
  HANDOFF_KEY_TTL_MS,
  handoffKey,
  handoffProof,
  IV_BYTES,
  NONCE_BYTES,
  x25519,
  x25519KeyPair,
  X25519_KEY_BYTES,
  type X25519KeyPair,
} from './protocol'
import { assertionJson, credentialIdBytes, parseCredential, requestOptionsFromServer } from './webauthn'

/** How long a challenge is shown when WhatsApp's options name no timeout: the hand-off key's window. */
export const DEFAULT_CHALLENGE_MS = HANDOFF_KEY_TTL_MS

/** The parts of a Baileys socket this module uses. A WASocket is one. */
export interface PasskeySocket {
  ws: {
    on(event: string, listener: (node: BinaryNode) => void): unknown
    off(event: string, listener: (node: BinaryNode) => void): unknown
  }
  ev: { emit(event: 'creds.update', update: Partial<AuthenticationCreds>): boolean }
  authState: { creds: AuthenticationCreds }
  /** Baileys' query: resolves undefined when WhatsApp does not answer in time, throws on an error reply. */
  query(node: BinaryNode, timeoutMs?: number): Promise<BinaryNode | undefined>
}

/** What a person is asked to do, or null when no passkey step is under way. */
export type PasskeyStep =
  /** Run navigator.credentials.get with `options` (before `expiresAt`) and hand the result to respond(). */
  | { phase: 'required'; options: PasskeyRequestOptions; expiresAt: number }
  /**
   * Show `code` and call confirm() once the person says it matches the phone. `handoffProven`: the
   * hand-off proof went with the prologue, so WhatsApp's own clients may skip showing the code; this
   * module still waits for confirm().
   */
  | { phase: 'confirm'; code: string; handoffProven: boolean }

export interface PasskeyLinkingOptions {
  /** DeviceProps.PlatformType the socket registered with: platformTypeOf(the socket's browser). */
  deviceType: number
  /** Every change of step, null included (done, failed, cancelled). */
  onStep(step: PasskeyStep | null): void
  /** A step failed where no caller waits for it (a continuation that could not be completed). */
  onError?(error: AppError): void
  log?: Pick<Logger, 'warn'>
  now?: () => number
  /** Every random byte the module uses (tests replay a recorded run with it). */
  randomBytes?: (size: number) => Buffer
  /** How long each IQ waits for WhatsApp (Baileys' default when absent). */
  queryTimeoutMs?: number
}

export interface PasskeyLinker {
  step(): PasskeyStep | null
  /**
   * Hands in the browser's assertion (PublicKeyCredential.toJSON()'s shape). Resolves once WhatsApp
   * accepted it; the confirm step follows. invalid-input: not an assertion (the step stays, try again);
   * forbidden: WhatsApp refused it (the attempt is over); conflict: no challenge waits for one.
   */
  respond(credential: unknown): Promise<void>
  /** The person saw the same code on the phone: sends the encrypted pairing request. pair-success follows. */
  confirm(): Promise<void>
  /** Drops the step and puts back the adv secret it replaced. WhatsApp is not told (no such message is known). */
  cancel(): void
  /** Stops listening; a step under way is cancelled. */
  detach(): void
}

type Phase = 'required' | 'responding' | 'verifying' | 'continuing' | 'confirm' | 'confirming'

interface Attempt {
  phase: Phase
  options: PasskeyRequestOptions
  expiresAt: number
  /** The adv secret (base64, as creds hold it) before this attempt rotated it, and the rotated one. */
  previousAdvSecret: string
  advSecret: Buffer
  handoff: { key: Buffer; until: number }
  sent: { keyPair: X25519KeyPair; nonce: Buffer; ref: string; handoffProven: boolean } | null
  confirm: { key: Buffer; code: string } | null
}

const CHALLENGE_EVENT = `CB:notification,type:${CHALLENGE_NOTIFICATION}`
const CONTINUATION_EVENT = `CB:notification,type:${CONTINUATION_NOTIFICATION}`

/**
 * Listens for passkey steps on `socket`. Baileys 7.0.0-rc14 has no case for these notifications: it
 * acks them and emits nothing, so this listener sits beside its own.
 */
export function attachPasskeyLinking(socket: PasskeySocket, options: PasskeyLinkingOptions): PasskeyLinker {
  const now = options.now ?? Date.now
  const random = options.randomBytes ?? cryptoRandomBytes
  let attempt: Attempt | null = null

  function publish(): void {
    options.onStep(stepOf(attempt))
  }

  function query(node: BinaryNode, what: string): Promise<BinaryNode> {
    return socket.query(node, options.queryTimeoutMs).then(
      (reply) => {
        if (!reply) throw new AppError('unavailable', `WhatsApp did not answer the ${what} in time. Start linking again.`)
        return reply
      },
      (err: unknown) => {
        throw refusal(err, what)
      },
    )
  }

  function setAdvSecret(base64: string): void {
    socket.ev.emit('creds.update', { advSecretKey: base64 })
  }

  /** Ends `current`, putting back the adv secret it replaced unless something else replaced it since. */
  function end(current: Attempt): void {
    if (attempt === current) attempt = null
    if (socket.authState.creds.advSecretKey === current.advSecret.toString('base64')) setAdvSecret(current.previousAdvSecret)
  }

  function fail(current: Attempt, error: AppError): AppError {
    end(current)
    publish()
    return error
  }

  /** Throws when `current` was ended (cancelled, replaced, failed) while its caller awaited. */
  function stillCurrent(current: Attempt): void {
    if (attempt !== current) throw new AppError('conflict', 'The passkey step was cancelled or replaced by a new one. Nothing was linked.')
  }

  async function onChallenge(node: BinaryNode): Promise<void> {
    if (!isFromServer(node)) return options.log?.warn({ from: node.attrs.from }, 'ignoring a passkey challenge not sent by WhatsApp')
    let requestOptions: PasskeyRequestOptions
    try {
      requestOptions = requestOptionsFromServer(childBytes(node, 'passkey_request_options')?.toString('utf8') ?? '')
    } catch (first) {
      options.log?.warn({ err: first }, 'passkey challenge unreadable; asking WhatsApp for the options again')
      const reply = await query(optionsQuery(), 'passkey options request')
      requestOptions = requestOptionsFromServer(childBytes(reply, 'passkey_request_options')?.toString('utf8') ?? '')
    }
    if (attempt) end(attempt)
    const creds = socket.authState.creds
    const at = now()
    const advSecret = random(ADV_SECRET_BYTES)
    attempt = {
      phase: 'required',
      options: requestOptions,
      expiresAt: at + (requestOptions.timeout ?? DEFAULT_CHALLENGE_MS),
      previousAdvSecret: creds.advSecretKey,
      advSecret,
      handoff: { key: handoffKey(Buffer.from(creds.advSecretKey, 'base64')), until: at + HANDOFF_KEY_TTL_MS },
      sent: null,
      confirm: null,
    }
    // pair-success is checked against the adv secret in the creds: the new one, from here on.
    setAdvSecret(advSecret.toString('base64'))
    publish()
  }

  async function onContinuation(node: BinaryNode): Promise<void> {
    if (!isFromServer(node)) return options.log?.warn({ from: node.attrs.from }, 'ignoring a passkey continuation not sent by WhatsApp')
    const current = attempt
    if (!current?.sent || (current.phase !== 'responding' && current.phase !== 'verifying')) {
      return options.log?.warn({ phase: current?.phase ?? null }, 'ignoring a passkey continuation with no prologue waiting for it')
    }
    const { sent } = current
    current.phase = 'continuing'
    try {
      const bytes = childBytes(node, 'primary_ephemeral_identity')
      if (!bytes) throw new AppError('invalid-input', 'WhatsApp continued the passkey step without the phone identity')
      const primary = decodePrimaryIdentity(bytes)
      const shared = x25519(sent.keyPair.privateKey, primary.publicKey)
      await query(nonceQuery(sent.nonce), 'companion nonce')
      stillCurrent(current)
      current.confirm = {
        key: encryptionKey(shared, options.deviceType, sent.ref),
        code: confirmationCode(sent.nonce, primary.publicKey, primary.nonce),
      }
      current.phase = 'confirm'
      publish()
    } catch (err) {
      if (attempt !== current) return
      const error = isAppError(err) ? err : new AppError('internal', 'The passkey continuation could not be completed', { cause: err })
      options.onError?.(fail(current, error))
    }
  }

  function listen(handler: (node: BinaryNode) => Promise<void>, what: string): (node: BinaryNode) => void {
    return function onPasskeyNotification(node) {
      handler(node).catch((err: unknown) => {
        const error = isAppError(err) ? err : new AppError('internal', `The ${what} could not be handled`, { cause: err })
        options.log?.warn({ err: error }, `passkey ${what} failed`)
        options.onError?.(error)
      })
    }
  }
  const challengeListener = listen(onChallenge, 'challenge')
  const continuationListener = listen(onContinuation, 'continuation')
  socket.ws.on(CHALLENGE_EVENT, challengeListener)
  socket.ws.on(CONTINUATION_EVENT, continuationListener)

  return {
    step: () => stepOf(attempt),

    async respond(input) {
      const current = attempt
      if (current?.phase !== 'required') {
        throw new AppError('conflict', current ? 'A passkey answer is already being checked.' : 'No passkey step is waiting for an answer.')
      }
      const credential = parseCredential(input)
      current.phase = 'responding'
      try {
        const ref = readRef(await query(refQuery(), 'passkey ref request'))
        stillCurrent(current)
        const keyPair = x25519KeyPair(random(X25519_KEY_BYTES))
        const nonce = random(NONCE_BYTES)
        const identity = encodeCompanionIdentity({ publicKey: keyPair.publicKey, deviceType: options.deviceType, ref })
        const payload = encodeProloguePayload(identity, commitment(identity, nonce))
        const proof = now() < current.handoff.until ? handoffProof(current.handoff.key, payload) : null
        // Known before the prologue goes out: the continuation may overtake the IQ's result.
        current.sent = { keyPair, nonce, ref, handoffProven: proof !== null }
        await query(
          prologueQuery({ credentialId: credentialIdBytes(credential), assertionJson: assertionJson(credential), payload, handoffProof: proof }),
          'passkey prologue',
        )
        stillCurrent(current)
        if (current.phase === 'responding') current.phase = 'verifying'
      } catch (err) {
        if (attempt !== current) throw err
        throw fail(current, isAppError(err) ? err : new AppError('internal', 'The passkey answer could not be sent', { cause: err }))
      }
    },

    async confirm() {
      const current = attempt
      if (current?.phase !== 'confirm' || !current.confirm) throw new AppError('conflict', 'No confirmation code is waiting to be confirmed.')
      current.phase = 'confirming'
      const creds = socket.authState.creds
      try {
        const request = encryptPairingRequest(current.confirm.key, random(IV_BYTES), {
          noisePublicKey: creds.noiseKey.public,
          identityPublicKey: creds.signedIdentityKey.public,
          advSecret: current.advSecret,
        })
        await query(encryptedRequestQuery(request), 'encrypted pairing request')
        stillCurrent(current)
      } catch (err) {
        if (attempt !== current) throw err
        throw fail(current, isAppError(err) ? err : new AppError('internal', 'The pairing request could not be sent', { cause: err }))
      }
      // Done: pair-success follows, checked against the adv secret now in the creds. Keep it.
      attempt = null
      publish()
    },

    cancel() {
      if (!attempt) return
      end(attempt)
      publish()
    },

    detach() {
      socket.ws.off(CHALLENGE_EVENT, challengeListener)
      socket.ws.off(CONTINUATION_EVENT, continuationListener)
      if (attempt) {
        end(attempt)
        publish()
      }
    },
  }
}

function stepOf(attempt: Attempt | null): PasskeyStep | null {
  if (!attempt) return null
  if (attempt.phase === 'confirm' || attempt.phase === 'confirming') {
    return { phase: 'confirm', code: attempt.confirm!.code, handoffProven: attempt.sent!.handoffProven }
  }
  return { phase: 'required', options: attempt.options, expiresAt: attempt.expiresAt }
}

/** WhatsApp's error reply to `what`, as a message that names the check (Baileys throws the error node's text). */
function refusal(err: unknown, what: string): AppError {
  const boom = err as { message?: unknown; data?: unknown }
  const text = typeof boom?.message === 'string' && boom.message ? boom.message : 'no reason given'
  const code = typeof boom?.data === 'number' && Number.isFinite(boom.data) ? ` ${boom.data}` : ''
  if (closedConnection(err)) {
    return new AppError('unavailable', `The connection to WhatsApp closed during the ${what}. Start linking again.`, { cause: err })
  }
  return new AppError('forbidden', `WhatsApp refused the ${what} (${text}${code ? `,${code}` : ''}). Nothing was linked; start linking again for a new challenge.`, { cause: err })
}
