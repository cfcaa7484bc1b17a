// The hand-off, end to end: an account paired on server A moves to server B with transfer:export-to-server
// and carries on there with its Signal sessions intact. Real server processes, real Baileys, one simulator
// (in this process; the servers reach it through IRISH_WHATSAPP_URL), and a plain Baileys client as the
// other party, which trusts the same simulator root.

import { proto, type WAMessage } from '@whiskeysockets/baileys'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountSummary, EventMessage, ReceivedMessage } from '../src/shared/contract'
import { closeSocket, nextMessage, pairClient, textOf, type PairedClient } from './support/baileys-clients'
import { awaitStatus, pairAccount, qrCodesShown, refusal, useTransferServers, type TestServer } from './support/transfer-support'

const { simulator, a, b } = useTransferServers({ beforeAll, afterAll }, ['irish-a-', 'irish-b-'])
let carol: PairedClient
/** Every message the third party received, to prove none failed to decrypt. */
const carolInbox: WAMessage[] = []

beforeAll(async () => {
  carol = await pairClient(simulator.sim, { name: 'Carol' })
  carol.sock.ev.on('messages.upsert', ({ messages }) => carolInbox.push(...messages.filter((m) => !m.key.fromMe)))
})

afterAll(async () => {
  if (carol) await closeSocket(carol.sock)
})

function messageEvent(target: TestServer, account: string, text: string) {
  return target.events.next(
    (m: EventMessage) =>
      m.event === 'accounts:message' && (m.payload as ReceivedMessage).account === account && (m.payload as ReceivedMessage).text === text,
    15_000,
  )
}

/** The hand-off journal's files in a server's data dir. */
function handOffFiles(target: TestServer): string[] {
  const dir = join(target.dataDir, 'hand-offs')
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.json')) : []
}

async function accountOn(target: TestServer, id: string): Promise<AccountSummary> {
  const found = (await target.server.value<AccountSummary[]>('accounts:list')).find((x) => x.id === id)
  if (!found) throw new Error(`no account ${id}`)
  return found
}

describe('moving a session from one server to another', () => {
  let moving: AccountSummary
  let onB: AccountSummary

  it('pairs an account on A that exchanges messages with a third account', async () => {
    moving = await pairAccount(a, simulator.admin.url, 'Support line')
    const toCarol = `from A ${Date.now()}`
    const gotByCarol = nextMessage(carol.sock, (m) => textOf(m) === toCarol, 15_000)
    await a.server.value('accounts:send-text', { id: moving.id, to: carol.account.jid, text: toCarol })
    await gotByCarol

    const toA = `to A ${Date.now()}`
    const gotByA = messageEvent(a, moving.id, toA)
    await carol.sock.sendMessage(`${moving.phone}@s.whatsapp.net`, { text: toA })
    await gotByA
  }, 60_000)

  it('refuses http to a host that is not this machine, before contacting anything', async () => {
    const since = a.events.received.length
    const refused = await refusal(a, 'transfer:export-to-server', { id: moving.id, url: 'http://192.0.2.10:7420', token: b.server.token })
    expect(refused).toMatchObject({ status: 400, code: 'invalid-input' })
    expect(refused.message).toMatch(/https/)
    expect(refused.message).not.toContain(b.server.token)
    expect(await accountOn(a, moving.id)).toMatchObject({ status: 'connected', movedTo: null })
    expect(a.events.received.slice(since).filter((m) => m.event === 'accounts:changed')).toEqual([])
  })

  it('refuses a wrong token of the other server without interrupting the account here', async () => {
    const since = a.events.received.length
    const wrong = 'not-the-token-of-server-b'
    const refused = await refusal(a, 'transfer:export-to-server', { id: moving.id, url: b.server.url, token: wrong })
    expect(refused.status).toBe(400)
    expect(refused.message).toMatch(/refused the token/)
    expect(refused.message).not.toContain(wrong)
    expect(await accountOn(a, moving.id)).toMatchObject({ status: 'connected', movedTo: null })
    // The token is checked before the account is stopped: no status change at all.
    const changes = a.events.received.slice(since).filter((m) => m.event === 'accounts:changed' && (m.payload as AccountSummary).id === moving.id)
    expect(changes).toEqual([])
    expect(await b.server.value<AccountSummary[]>('accounts:list')).toEqual([])
  })

  it('moves it to B: A stops and marks it moved, B connects without pairing', async () => {
    const result = await a.server.value<{ account: AccountSummary; remote: AccountSummary }>('transfer:export-to-server', {
      id: moving.id,
      url: b.server.url,
      token: b.server.token,
    })
    expect(result.account).toMatchObject({ id: moving.id, status: 'moved', movedTo: { target: b.server.url } })
    expect(result.remote.phone).toBe(moving.phone)
    onB = await awaitStatus(b, result.remote.id, 'connected')
    expect(qrCodesShown(b)).toBe(0)
    // Settled: neither side keeps a record of it (the target dropped its own when A said it was done).
    expect(handOffFiles(a)).toEqual([])
    expect(handOffFiles(b)).toEqual([])
    expect(await accountOn(a, moving.id)).toMatchObject({ status: 'moved', movedTo: { target: b.server.url } })

    const again = await refusal(a, 'accounts:start', { id: moving.id })
    expect(again).toMatchObject({ status: 409, code: 'conflict' })
    expect(again.message).toContain(b.server.url)
    expect(again.message).toMatch(/take it back/)
  }, 60_000)

  it('B exchanges readable messages with the third account in both directions', async () => {
    const toCarol = `from B ${Date.now()}`
    const gotByCarol = nextMessage(carol.sock, (m) => textOf(m) === toCarol, 15_000)
    await b.server.value('accounts:send-text', { id: onB.id, to: carol.account.jid, text: toCarol })
    expect(textOf(await gotByCarol)).toBe(toCarol)

    const toB = `to B ${Date.now()}`
    const gotByB = messageEvent(b, onB.id, toB)
    await carol.sock.sendMessage(`${moving.phone}@s.whatsapp.net`, { text: toB })
    expect(((await gotByB).payload as ReceivedMessage).text).toBe(toB)

    // A message Baileys cannot decrypt arrives as a CIPHERTEXT stub; there must be none.
    const undecryptable = carolInbox.filter((m) => m.messageStubType === proto.WebMessageInfo.StubType.CIPHERTEXT)
    expect(undecryptable).toEqual([])
    expect(await accountOn(b, onB.id)).toMatchObject({ status: 'connected', lastError: null })
  }, 60_000)

  it('takes it back on A only when asked to, after B stopped it', async () => {
    await b.server.value('accounts:stop', { id: onB.id })
    const started = await a.server.value<AccountSummary>('accounts:start', { id: moving.id, takeBack: true })
    expect(started.movedTo).toBeNull()
    await awaitStatus(a, moving.id, 'connected')
  }, 30_000)
})
