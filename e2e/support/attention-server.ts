// Test-only: a headless server with 200 real accounts (real Baileys, paired by QR against an in-process
// simulator), for the Needs attention spec. It lives under e2e/, so no production build contains it.
// On "inject" (a line on stdin) it puts the fault mix of attention-mix.ts on them through the
// simulator, as WhatsApp would act (kicks, a ban, a reach-out limit, spoiled messages, silence), and
// prints "injected" once every account shows the condition the mix leads to. Binds 127.0.0.1, stops
// on SIGTERM or when stdin closes.
// Usage: tsx e2e/support/attention-server.ts   (IRISH_API_TOKEN set)

import { join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { createLogger } from '../../src/main/core/logger'
import { startApiServer } from '../../src/main/server/http-server'
import { startManyAccounts } from '../../test/support/many-accounts'
import { ATTENTION_SIZE, attentionLabel, expectedCondition, faultFor } from './attention-mix'

const ROOT = resolve(import.meta.dirname, '..', '..')
/** Texts each bad-mac account is sent: more than the doctor's threshold (5 in 10 minutes). */
const SPOILED = 6

async function main(): Promise<void> {
  const token = process.env.IRISH_API_TOKEN
  if (!token) throw new Error('attention-server needs IRISH_API_TOKEN')
  const logger = createLogger('warn')
  const world = await startManyAccounts({
    accounts: ATTENTION_SIZE,
    label: attentionLabel,
    pairConcurrency: 10,
    staleSocketSeconds: 5,
    // Long enough that the decryption condition is still there while the spec looks at it.
    doctor: { decrypt: { quietMs: 10 * 60_000 } },
    progress: (n) => n % 50 === 0 && process.stdout.write(`paired ${n}\n`),
  })
  const server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    token,
    dispatch: world.core.dispatch,
    events: world.core.events,
    logger,
    staticDir: join(ROOT, 'out', 'renderer'),
  })

  async function inject(): Promise<void> {
    const { sim, core } = world
    await Promise.all(
      world.accounts.map(async (account, index) => {
        const phone = account.phone
        switch (faultFor(index)) {
          case 'close-401':
            return void (await sim.injectFault({ phone, kind: 'close', code: 401 }))
          case 'close-403':
            return void (await sim.injectFault({ phone, kind: 'close', code: 403 }))
          case 'close-440':
            return void (await sim.injectFault({ phone, kind: 'close', code: 440 }))
          case 'reach-out-limit':
            return void (await sim.injectFault({ phone, kind: 'reach-out-limit', seconds: 3600 }))
          case 'silence':
            return void (await sim.injectFault({ phone, kind: 'silence', seconds: 600 }))
          case 'bad-mac': {
            await sim.injectFault({ phone, kind: 'bad-mac', count: SPOILED })
            for (let i = 0; i < SPOILED; i++) await sim.sendFromPhone('15559990000', phone, `spoiled ${i}`)
            return
          }
          case null:
            return
        }
      }),
    )
    // Settled when every account shows what the mix leads to, and every silenced one is back.
    const settled = (): boolean =>
      core.sessions.list().every((summary) => {
        const index = world.accounts.findIndex((a) => a.id === summary.id)
        const expected = expectedCondition(index)
        if ((summary.condition?.code ?? null) !== expected) return false
        return expected !== null || summary.status === 'connected'
      })
    while (!settled()) await new Promise((r) => setTimeout(r, 250))
    process.stdout.write('injected\n')
  }

  let stopping = false
  async function stop(): Promise<void> {
    if (stopping) return
    stopping = true
    await server.close()
    await world.close()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop())
  const lines = createInterface({ input: process.stdin })
  lines.on('line', (line) => {
    if (line.trim() === 'inject') inject().catch((error: unknown) => process.stdout.write(`inject failed: ${String(error)}\n`))
  })
  lines.on('close', () => void stop())
  process.stdout.write(`listening on ${server.url}\n`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
