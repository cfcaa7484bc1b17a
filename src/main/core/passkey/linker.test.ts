// The linker against recorded nodes: fixtures/qr-link.json holds one linking by QR between real
// Baileys and the simulator (scripts/record-passkey-nodes.ts). Replayed with the same random bytes and
// clock, the linker must send byte for byte the IQs it sent then, show the same steps, and leave the
// same adv secret; and it must refuse, ignore or undo what a run can go wrong with.

import { EventEmitter } from 'node:events'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { decodeBinaryNode, encodeBinaryNode, type AuthenticationCreds, type BinaryNode } from '@whiskeysockets/baileys'
import { attachPasskeyLinking, type PasskeyLinkingOptions, type PasskeySocket } from './linker'
import { StepRecorder } from '../../../../test/support/passkey'

interface RecordedNode {
  binary: string
}
interface Fixture {
  now: number
  deviceType: number
  start: { advSecretKey: string; noisePublic: string; identityPublic: string }
  random: string[]
  credential: unknown
  steps: unknown[]
  advSecretAfter: string
  timeline: Array<{ notification: RecordedNode } | { sent: RecordedNode; reply: RecordedNode }>
}

const fixture = JSON.parse(readFileSync(new URL('./fixtures/qr-link.json', import.meta.url), 'utf8')) as Fixture

function decode(recorded: RecordedNode): Promise<BinaryNode> {
  return decodeBinaryNode(Buffer.from(recorded.binary, 'base64'))
}

/** The node without the id Baileys' query adds, as bytes: what the linker built. */
function withoutId(node: BinaryNode): Buffer {
  const { id: _id, ...attrs } = node.attrs
  return encodeBinaryNode({ ...node, attrs })
}

const notifications = fixture.timeline.flatMap((e) => ('notification' in e ? [e.notification] : []))
const exchanges = fixture.timeline.flatMap((e) => ('sent' in e ? [e] : []))

/**
 * A socket that plays WhatsApp from the recording: each query must be the recorded one, and gets the
 * recorded reply (or what `answer` gives instead). Notifications are emitted as Baileys emits them.
 */
function recordedSocket(answer: (index: number, node: BinaryNode) => Promise<BinaryNode | undefined> | undefined = () => undefined) {
  const ws = new EventEmitter()
  const creds = {
    advSecretKey: fixture.start.advSecretKey,
    noiseKey: { public: Buffer.from(fixture.start.noisePublic, 'hex') },
    signedIdentityKey: { public: Buffer.from(fixture.start.identityPublic, 'hex') },
  } as unknown as AuthenticationCreds
  const saved: Array<Partial<AuthenticationCreds>> = []
  const sent: BinaryNode[] = []
  const socket: PasskeySocket = {
    ws,
    ev: {
      emit(_event, update) {
        Object.assign(creds, update)
        saved.push(update)
        return true
      },
    },
    authState: { creds },
    async query(node) {
      const index = sent.push(node) - 1
      const replaced = answer(index, node)
      if (replaced) return replaced
      const recorded = exchanges[index]
      if (!recorded) throw new Error(`query ${index} was not in the recording`)
      return decode(recorded.reply)
    },
  }
  async function notify(index: number): Promise<void> {
    const node = await decode(notifications[index]!)
    ws.emit(`CB:notification,type:${node.attrs.type}`, node)
  }
  return { socket, creds, saved, sent, notify, ws }
}

function replaying(socket: PasskeySocket, extra: Partial<PasskeyLinkingOptions> = {}) {
  const random = fixture.random.map((hex) => Buffer.from(hex, 'hex'))
  const recorder = new StepRecorder()
  const linker = attachPasskeyLinking(socket, {
    deviceType: fixture.deviceType,
    onStep: recorder.onStep,
    onError: recorder.onError,
    now: () => fixture.now,
    randomBytes: (size) => {
      const next = random.shift()
      if (next?.length !== size) throw new Error(`the recording drew ${next?.length} random bytes here, not ${size}`)
      return next
    },
    ...extra,
  })
  return { linker, recorder }
}

describe('the passkey linker against a recorded linking', () => {
  it('sends byte for byte the IQs of the recording, shows its steps and keeps its adv secret', async () => {
    const whatsapp = recordedSocket()
    const { linker, recorder } = replaying(whatsapp.socket)
    await whatsapp.notify(0)
    await recorder.next('required')
    expect(whatsapp.creds.advSecretKey).toBe(fixture.advSecretAfter)
    expect(whatsapp.saved).toEqual([{ advSecretKey: fixture.advSecretAfter }])
    await linker.respond(fixture.credential)
    await whatsapp.notify(1)
    await recorder.next('confirm')
    await linker.confirm()
    expect(recorder.steps).toEqual([...fixture.steps])
    expect(whatsapp.sent).toHaveLength(exchanges.length)
    for (const [i, node] of whatsapp.sent.entries()) expect(withoutId(node), `IQ ${i}`).toEqual(withoutId(await decode(exchanges[i]!.sent)))
    expect(whatsapp.creds.advSecretKey).toBe(fixture.advSecretAfter)
    expect(recorder.errors).toEqual([])
  })

  it('ignores a challenge or continuation that does not come from WhatsApp itself', async () => {
    const whatsapp = recordedSocket()
    const { recorder } = replaying(whatsapp.socket)
    const challenge = await decode(notifications[0]!)
    whatsapp.ws.emit('CB:notification,type:passkey_prologue_request', { ...challenge, attrs: { ...challenge.attrs, from: '4915100000000@s.whatsapp.net' } })
    const continuation = await decode(notifications[1]!)
    whatsapp.ws.emit('CB:notification,type:crsc_continuation', continuation)
    await new Promise((resolve) => setImmediate(resolve))
    expect(recorder.steps).toEqual([])
    expect(whatsapp.creds.advSecretKey).toBe(fixture.start.advSecretKey)
    expect(whatsapp.sent).toEqual([])
  })

  it('asks WhatsApp for the options again when the challenge carries none it can read', async () => {
    const challenge = await decode(notifications[0]!)
    const options = (challenge.content as BinaryNode[])[0]!
    const whatsapp = recordedSocket((index, node) => {
      if (index > 0) return undefined
      expect(node.attrs).toMatchObject({ type: 'get', xmlns: 'md' })
      expect((node.content as BinaryNode[])[0]!.tag).toBe('passkey_request_options')
      return Promise.resolve({ tag: 'iq', attrs: { type: 'result' }, content: [options] })
    })
    const { recorder } = replaying(whatsapp.socket)
    whatsapp.ws.emit('CB:notification,type:passkey_prologue_request', { ...challenge, content: [{ tag: 'passkey_request_options', attrs: {}, content: Buffer.from('{not json') }] })
    expect(await recorder.next('required')).toEqual(fixture.steps[0])
  })

  it("reports WhatsApp's refusal naming its check, and puts back the adv secret it replaced", async () => {
    const whatsapp = recordedSocket((index) =>
      index === 1 ? Promise.reject(Object.assign(new Error('signature-invalid'), { data: 401 })) : undefined,
    )
    const { linker, recorder } = replaying(whatsapp.socket)
    await whatsapp.notify(0)
    await recorder.next('required')
    await expect(linker.respond(fixture.credential)).rejects.toMatchObject({
      code: 'forbidden',
      message: 'WhatsApp refused the passkey prologue (signature-invalid, 401). Nothing was linked; start linking again for a new challenge.',
    })
    expect(recorder.steps.at(-1)).toBeNull()
    expect(whatsapp.creds.advSecretKey).toBe(fixture.start.advSecretKey)
    // A continuation for the refused prologue finds nothing to continue.
    await whatsapp.notify(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(whatsapp.sent).toHaveLength(2)
  })

  it('keeps the step when the answer is not an assertion, so the person can try again', async () => {
    const whatsapp = recordedSocket()
    const { linker, recorder } = replaying(whatsapp.socket)
    await whatsapp.notify(0)
    await recorder.next('required')
    await expect(linker.respond({ id: 'x' })).rejects.toMatchObject({ code: 'invalid-input' })
    expect(linker.step()?.phase).toBe('required')
    expect(whatsapp.sent).toEqual([])
    await linker.respond(fixture.credential)
    expect(whatsapp.sent).toHaveLength(2)
  })

  it('says so when WhatsApp does not answer in time (Baileys then resolves undefined)', async () => {
    const whatsapp = recordedSocket((index) => (index === 0 ? Promise.resolve(undefined) : undefined))
    const { linker, recorder } = replaying(whatsapp.socket)
    await whatsapp.notify(0)
    await recorder.next('required')
    await expect(linker.respond(fixture.credential)).rejects.toMatchObject({ code: 'unavailable', message: expect.stringContaining('did not answer the passkey ref request') })
    expect(whatsapp.creds.advSecretKey).toBe(fixture.start.advSecretKey)
  })

  it('leaves an adv secret alone that something else replaced since (a new code exchange)', async () => {
    const whatsapp = recordedSocket()
    const { linker, recorder } = replaying(whatsapp.socket)
    await whatsapp.notify(0)
    await recorder.next('required')
    whatsapp.creds.advSecretKey = 'cmVwbGFjZWQ='
    linker.cancel()
    expect(whatsapp.creds.advSecretKey).toBe('cmVwbGFjZWQ=')
  })

  it('stops listening when detached, cancelling the step under way', async () => {
    const whatsapp = recordedSocket()
    const { linker, recorder } = replaying(whatsapp.socket)
    await whatsapp.notify(0)
    await recorder.next('required')
    linker.detach()
    expect(recorder.steps.at(-1)).toBeNull()
    expect(whatsapp.creds.advSecretKey).toBe(fixture.start.advSecretKey)
    expect(whatsapp.ws.listenerCount('CB:notification,type:passkey_prologue_request')).toBe(0)
    expect(whatsapp.ws.listenerCount('CB:notification,type:crsc_continuation')).toBe(0)
  })
})
