import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateMessageIDV2, type proto, type WAMessage } from '@whiskeysockets/baileys'
import type { PairedAccount, ScanOptions, SimulatorStats } from './simulator.js'
import { closeSocket, muteLibsignalLogs, pairClient, textOf, type PairedClient } from '../../test/support/baileys-clients.js'

// The simulator runs in its own process so its memory figures are not mixed with 20 Baileys clients.
const ACCOUNTS = 20
const MESSAGES = 1000

let child: ChildProcess
let info: { url: string; rootKey: string; admin: string }
let unmute: () => void
const clients: PairedClient[] = []
// What each client sent, by message id. When two clients' first messages to each other cross (more
// likely on a loaded machine), Baileys rc14 can corrupt a Signal session and the receiver fails to
// decrypt (see retry.test.ts); only a retry receipt and resend delivers that message. Baileys resends
// only a message it can find, and its own recent-message cache misses for 1:1 chats (stored under
// the chat JID, looked up under the receipt's device JID), so without getMessage it is lost.
// These plain clients resend as Baileys does, one device twice per stanza, which WhatsApp answers with
// 479 (smax-invalid.test.ts); the simulator is told to deliver such stanzas, to measure routing alone.
const outboxes: Array<Map<string, Promise<proto.IMessage | undefined>>> = []

beforeAll(async () => {
  unmute = muteLibsignalLogs()
  child = spawn(process.execPath, ['--import', 'tsx', 'src/simulator/cli.ts', '--port', '0', '--accept-duplicate-messages'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', () => reject(new Error('simulator exited before printing its address')))
  })
  info = JSON.parse(line)
})
afterAll(async () => {
  await Promise.all(clients.map((c) => closeSocket(c.sock)))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
  unmute()
})

async function stats(): Promise<SimulatorStats> {
  return (await (await fetch(`${info.admin}/stats`)).json()) as SimulatorStats
}

async function scanQr(qr: string, opts: ScanOptions = {}): Promise<PairedAccount> {
  const res = await fetch(`${info.admin}/scan`, { method: 'POST', body: JSON.stringify({ qr, ...opts }) })
  if (res.status !== 200) throw new Error(`scan failed: ${res.status} ${await res.text()}`)
  return (await res.json()) as PairedAccount
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

describe('load', () => {
  it(`pairs ${ACCOUNTS} accounts and routes ${MESSAGES} messages among them exactly once`, async () => {
    const sim = { url: info.url, rootKeyHex: info.rootKey, scanQr }
    const before = await stats()
    const t0 = performance.now()
    for (let i = 0; i < ACCOUNTS; i += 5) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(5, ACCOUNTS - i) }, (_, k) => {
          const outbox = (outboxes[i + k] = new Map())
          return pairClient(sim, {}, undefined, { getMessage: async (key) => (key.id ? await outbox.get(key.id) : undefined) })
        }),
      )
      clients.push(...batch)
    }
    const tPaired = performance.now()
    const afterPairing = await stats()
    expect(afterPairing.loggedIn).toBe(ACCOUNTS)

    // Message n goes from sender n % 20 to a receiver that varies with n, never the sender.
    const plan = Array.from({ length: MESSAGES }, (_, n) => {
      const from = n % ACCOUNTS
      const to = (from + 1 + ((n * 7) % (ACCOUNTS - 1))) % ACCOUNTS
      return { from, to, text: `load ${n}` }
    })
    const received = new Map<string, number>()
    const misrouted: string[] = []
    let remaining = MESSAGES
    let allArrived!: () => void
    const done = new Promise<void>((resolve) => (allArrived = resolve))
    clients.forEach((client, index) => {
      client.sock.ev.on('messages.upsert', ({ messages }: { messages: WAMessage[] }) => {
        for (const m of messages) {
          const text = m.key.fromMe ? undefined : textOf(m)
          if (!text?.startsWith('load ')) continue
          const n = Number(text.slice(5))
          if (plan[n]?.to !== index) misrouted.push(text)
          const count = (received.get(text) ?? 0) + 1
          received.set(text, count)
          if (count === 1 && --remaining === 0) allArrived()
        }
      })
    })

    const tSend = performance.now()
    await Promise.all(
      clients.map(async (client, index) => {
        for (const msg of plan.filter((p) => p.from === index)) {
          // The id is chosen up front so a retry receipt that overtakes sendMessage still finds it.
          const messageId = generateMessageIDV2(client.sock.user?.id)
          const sent = client.sock.sendMessage(clients[msg.to]!.account.jid, { text: msg.text }, { messageId })
          outboxes[index]!.set(messageId, sent.then((m) => m?.message ?? undefined))
          await sent
        }
      }),
    )
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${remaining} messages still missing`)), 45_000).unref())
    await Promise.race([done, timeout])
    const tDone = performance.now()
    const after = await stats()

    expect(misrouted).toEqual([])
    expect(received.size).toBe(MESSAGES)
    expect([...received.values()].every((c) => c === 1)).toBe(true)
    expect(after.routedMessages - afterPairing.routedMessages).toBeGreaterThanOrEqual(MESSAGES)

    console.info(
      [
        `[load] paired ${ACCOUNTS} accounts in ${((tPaired - t0) / 1000).toFixed(1)} s`,
        `[load] ${MESSAGES} messages sent and delivered in ${((tDone - tSend) / 1000).toFixed(1)} s (${Math.round(MESSAGES / ((tDone - tSend) / 1000))} msg/s)`,
        `[load] simulator rss ${mb(before.memory.rss)} -> ${mb(afterPairing.memory.rss)} (paired) -> ${mb(after.memory.rss)} (after messages)`,
        `[load] simulator heapUsed ${mb(before.memory.heapUsed)} -> ${mb(afterPairing.memory.heapUsed)} -> ${mb(after.memory.heapUsed)}`,
      ].join('\n'),
    )
  }, 90_000)
})
