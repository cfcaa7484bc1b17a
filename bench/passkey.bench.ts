// Passkey linking benchmark: how long one linking takes with the passkey step, against the same
// linking without it, on one in-process simulator with real Baileys, in interleaved rounds so drift on
// a shared machine hits both alike. Timed from the phone's scan until the companion logged in again
// after the 515 restart (the assertion is signed in process, so no person or browser is in it).
// Also prints the passkey step alone (challenge shown to encrypted request answered). Run:
// `npm run bench:passkey -- [--rounds N]`. Loopback only. The last line is the tracked figure: the
// median passkey linking, the median plain one, and their ratio.

import './as-built'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import type { WASocket } from '@whiskeysockets/baileys'
import { passkeyCompanion } from '../test/support/passkey'
import { silentLogger } from '../src/simulator/logger'
import { startSimulator, type Simulator } from '../src/simulator/simulator'
import { closeSocket, createSoftPasskey, createTestSocket, MemoryAuthStore, muteLibsignalLogs, waitForClose, waitForOpen, waitForQr } from '../test/support/baileys-clients'

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '15' } } })
const ROUNDS = Number(args.rounds)

async function plainLinking(sim: Simulator, phone: string, sockets: WASocket[]): Promise<number> {
  const store = new MemoryAuthStore()
  const first = createTestSocket(sim, store)
  sockets.push(first)
  const qr = await waitForQr(first)
  const restarted = waitForClose(first)
  const t0 = performance.now()
  await sim.scanQr(qr, { phone })
  await restarted
  const again = createTestSocket(sim, store)
  sockets.push(again)
  await waitForOpen(again)
  return performance.now() - t0
}

/** The passkey step alone, from the challenge shown to the encrypted request answered, per round. */
const stepMs: number[] = []

async function passkeyLinking(sim: Simulator, phone: string, sockets: WASocket[]): Promise<number> {
  const passkey = createSoftPasskey()
  sim.registerPasskey(phone, passkey.registration)
  const c = await passkeyCompanion(sim)
  sockets.push(c.sock)
  const t0 = performance.now()
  const linked = sim.scanQr(c.qr, { phone })
  const { options } = await c.recorder.next('required')
  const t1 = performance.now()
  await c.linker.respond(passkey.assert(options))
  await c.recorder.next('confirm')
  const restarted = waitForClose(c.sock)
  await c.linker.confirm()
  stepMs.push(performance.now() - t1)
  await linked
  await restarted
  const again = createTestSocket(sim, c.store)
  sockets.push(again)
  await waitForOpen(again)
  return performance.now() - t0
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

async function main(): Promise<void> {
  const unmute = muteLibsignalLogs()
  const sim = await startSimulator({ port: 0, logger: silentLogger })
  const sockets: WASocket[] = []
  const plain: number[] = []
  const withPasskey: number[] = []
  try {
    // One of each first, untimed: module loading and JIT warm-up.
    await plainLinking(sim, '4915300000000', sockets)
    await passkeyLinking(sim, '4915400000000', sockets)
    stepMs.splice(0)
    for (let round = 1; round <= ROUNDS; round++) {
      plain.push(await plainLinking(sim, `491530000${String(round).padStart(4, '0')}`, sockets))
      withPasskey.push(await passkeyLinking(sim, `491540000${String(round).padStart(4, '0')}`, sockets))
      await Promise.all(sockets.splice(0).map(closeSocket))
    }
  } finally {
    await Promise.all(sockets.splice(0).map(closeSocket))
    await sim.close()
    unmute()
  }
  console.log(`rounds: ${ROUNDS}`)
  console.log(`plain QR linking, ms:   ${plain.map((v) => v.toFixed(0)).join(' ')}`)
  console.log(`passkey linking, ms:    ${withPasskey.map((v) => v.toFixed(0)).join(' ')}`)
  console.log(`passkey step alone (challenge shown → request answered), median: ${median(stepMs).toFixed(1)} ms`)
  const a = median(withPasskey)
  const b = median(plain)
  console.log(`== passkey linking ${a.toFixed(0)} ms (median), plain ${b.toFixed(0)} ms, ratio ${(a / b).toFixed(2)}`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
