// Records one passkey linking by QR between real Baileys (with the companion module at its socket
// boundary) and the simulator, for the replay test in src/main/core/passkey/linker.test.ts: the nodes
// the companion received, every IQ it sent with WhatsApp's reply, the random bytes it drew and the
// creds it started from (a throwaway companion's public keys and adv secret). Loopback only.
// Run: npx tsx scripts/record-passkey-nodes.ts [out.json]

import './require-node24.mjs'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { binaryNodeToString, encodeBinaryNode, type BinaryNode } from '@whiskeysockets/baileys'
import { attachPasskeyLinking, type PasskeySocket } from '../src/main/core/passkey/linker'
import { StepRecorder, TEST_DEVICE_TYPE } from '../test/support/passkey'
import { silentLogger } from '../src/simulator/logger'
import { startSimulator } from '../src/simulator/simulator'
import { closeSocket, createSoftPasskey, createTestSocket, MemoryAuthStore, muteLibsignalLogs, waitForClose, waitForQr } from '../test/support/baileys-clients'

const OUT = process.argv[2] ?? 'src/main/core/passkey/fixtures/qr-link.json'
/** The companion's clock during the recording and the replay. */
const NOW = 1_780_000_000_000
const PHONE = '4915112340000'

interface RecordedNode {
  /** encodeBinaryNode, base64: what the test decodes. */
  binary: string
  /** For a person reading the fixture. */
  text: string
}

function record(node: BinaryNode): RecordedNode {
  return { binary: encodeBinaryNode(node).toString('base64'), text: binaryNodeToString(node) }
}

async function main(): Promise<void> {
  const unmute = muteLibsignalLogs()
  const sim = await startSimulator({ port: 0, logger: silentLogger })
  const store = new MemoryAuthStore()
  const sock = createTestSocket(sim, store)
  try {
    const timeline: Array<{ notification: RecordedNode } | { sent: RecordedNode; reply: RecordedNode }> = []
    const random: string[] = []
    const steps = new StepRecorder()
    for (const type of ['passkey_prologue_request', 'crsc_continuation']) {
      sock.ws.on(`CB:notification,type:${type}`, (node: BinaryNode) => timeline.push({ notification: record(node) }))
    }
    const recording: PasskeySocket = {
      ws: sock.ws,
      ev: sock.ev,
      authState: sock.authState,
      async query(node, timeoutMs) {
        const reply = await sock.query(node, timeoutMs)
        timeline.push({ sent: record(node), reply: record(reply) })
        return reply
      },
    }
    const linker = attachPasskeyLinking(recording, {
      deviceType: TEST_DEVICE_TYPE,
      onStep: steps.onStep,
      now: () => NOW,
      randomBytes: (size) => {
        const bytes = randomBytes(size)
        random.push(bytes.toString('hex'))
        return bytes
      },
    })
    const passkey = createSoftPasskey()
    sim.registerPasskey(PHONE, passkey.registration)
    const qr = await waitForQr(sock)
    const creds = sock.authState.creds
    const start = {
      advSecretKey: creds.advSecretKey,
      noisePublic: Buffer.from(creds.noiseKey.public).toString('hex'),
      identityPublic: Buffer.from(creds.signedIdentityKey.public).toString('hex'),
    }
    const linked = sim.scanQr(qr, { phone: PHONE })
    const { options } = await steps.next('required')
    const credential = passkey.assert(options)
    await linker.respond(credential)
    await steps.next('confirm')
    const closed = waitForClose(sock)
    await linker.confirm()
    await linked
    if ((await closed) !== 515) throw new Error('the recorded linking did not end in a 515 restart')
    const fixture = {
      recordedWith: 'npx tsx scripts/record-passkey-nodes.ts: real Baileys 7.0.0-rc14 against the simulator, linked by QR',
      now: NOW,
      deviceType: TEST_DEVICE_TYPE,
      start,
      random,
      credential,
      steps: steps.steps,
      advSecretAfter: store.savedCreds()!.advSecretKey,
      timeline,
    }
    writeFileSync(OUT, `${JSON.stringify(fixture, null, 2)}\n`)
    console.log(`recorded ${timeline.length} exchanges to ${OUT}`)
  } finally {
    await closeSocket(sock)
    await sim.close()
    unmute()
  }
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
