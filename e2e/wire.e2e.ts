// Lighter on the wire: each view receives the events it shows and no others (message text only where
// that account's messages are shown, ticks only on the telemetry view), and every script, stylesheet
// and JSON answer over 1 KiB arrives compressed. Frames are read off the page's own WebSocket; an event
// that must not arrive is proved absent by one that must, sent after it (the server keeps each socket's
// order), never by waiting. Frames per second at 500 accounts are in `npm run bench:ui`.

import type { Page, WebSocket } from '@playwright/test'
import { createApiClient } from '../src/shared/api-client'
import type { CommandName } from '../src/shared/channels'
import type { CommandInput, CommandOutput } from '../src/shared/contract'
import { AccountsPage } from './pages/accounts-page'
import { AppShell } from './pages/app-shell'
import { expect, server, skipWithoutElectron, test, watchErrors } from './support/fixtures'

skipWithoutElectron()
test.describe.configure({ mode: 'serial' })
test.skip(({ target }) => target === 'electron', 'The desktop app has no WebSocket and serves no HTTP: the web project covers it.')

const SENDER = 'Wire sender'
const RECEIVER = 'Wire receiver'

interface Frames {
  /** Events, and the server's acknowledgements of subscriptions as event 'subscribed' with the topics as payload. */
  events: Array<{ event: string; payload: Record<string, unknown> }>
  /** Resolves with the first event (received or to come) that `match` accepts. */
  next(match: (e: Frames['events'][number]) => boolean): Promise<Frames['events'][number]>
}

function recordFrames(page: Page): Frames {
  const events: Frames['events'] = []
  const waiters: Array<{ match: (e: Frames['events'][number]) => boolean; resolve: (e: Frames['events'][number]) => void }> = []
  page.on('websocket', (socket: WebSocket) => {
    socket.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type?: string; topics?: string[]; event?: string; payload?: Record<string, unknown> }
      const entry =
        message.type === 'subscribed' ? { event: 'subscribed', payload: { topics: message.topics ?? [] } } : message.event ? { event: message.event, payload: message.payload ?? {} } : null
      if (!entry) return
      events.push(entry)
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(entry)) waiter.resolve(entry)
        else waiters.push(waiter)
      }
    })
  })
  return {
    events,
    next(match) {
      const found = events.find(match)
      return found ? Promise.resolve(found) : new Promise((resolve) => waiters.push({ match, resolve }))
    },
  }
}

function api<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>> {
  const { url, token } = server()
  return createApiClient({ baseUrl: url, token }).call(command, input)
}

interface Listed {
  id: string
  label: string
  phone: string | null
}

let page: Page
let frames: Frames
let takeErrors: () => string[]
let sender: Listed
let receiver: Listed

test.beforeAll(async ({ browser }) => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  page = await context.newPage()
  takeErrors = watchErrors(page)
  frames = recordFrames(page)
  await page.goto(`${server().url}/#token=${server().token}`)
})

test.afterAll(async () => {
  await page?.context().close()
})

test.afterEach(() => {
  expect(takeErrors(), 'console errors on the page').toEqual([])
})

/** Renames an account through the API and waits until the page received that change: every frame sent before it has arrived too. */
async function fence(account: Listed, label: string): Promise<void> {
  await api('accounts:rename', { id: account.id, label })
  await frames.next((e) => e.event === 'accounts:changed' && e.payload.id === account.id && e.payload.label === label)
}

async function sendText(from: Listed, to: Listed, text: string): Promise<void> {
  await api('accounts:send-text', { id: from.id, to: `+${to.phone}`, text })
}

test('the accounts view receives no message text and no telemetry ticks', async () => {
  const accounts = new AccountsPage(page)
  await new AppShell(page).openAccounts()
  await accounts.showCards()
  for (const label of [SENDER, RECEIVER]) await accounts.addConnected(label)
  const list = await api('accounts:list', {})
  sender = list.find((a) => a.label === SENDER)!
  receiver = list.find((a) => a.label === RECEIVER)!
  const before = frames.events.length

  await sendText(sender, receiver, 'not for the accounts view')
  // The server's own store calls for that message make ticks; the messages view would get the text.
  await expect.poll(async () => (await api('accounts:messages', { id: receiver.id })).some((m) => m.text === 'not for the accounts view')).toBe(true)
  await fence(sender, `${SENDER} 1`)
  const seen = frames.events.slice(before).map((e) => e.event)
  expect(seen).not.toContain('accounts:message')
  expect(seen).not.toContain('telemetry:tick')
  expect(JSON.stringify(frames.events)).not.toContain('not for the accounts view')
})

test("an account's view receives that account's messages only", async () => {
  await new AccountsPage(page).card(RECEIVER).button('Details for').click()
  await expect(page.locator('#main-heading')).toHaveText(RECEIVER)
  await sendText(sender, receiver, 'for the receiver view')
  await expect(page.getByRole('log', { name: 'Received messages' })).toContainText('for the receiver view')
  await frames.next((e) => e.event === 'accounts:message' && e.payload.text === 'for the receiver view')

  await sendText(receiver, sender, 'for the sender, not shown here')
  await expect.poll(async () => (await api('accounts:messages', { id: sender.id })).some((m) => m.text === 'for the sender, not shown here')).toBe(true)
  await fence(receiver, `${RECEIVER} 1`)
  expect(JSON.stringify(frames.events)).not.toContain('for the sender, not shown here')
  await fence(receiver, RECEIVER)
  await fence(sender, SENDER)
})

test('the telemetry view receives ticks, and leaving it stops them', async () => {
  await new AppShell(page).openTelemetry()
  const started = frames.events.length
  await sendText(sender, receiver, 'a message makes store calls')
  await frames.next((e) => e.event === 'telemetry:tick' && frames.events.indexOf(e) >= started)
  const left = frames.events.length
  await new AppShell(page).openAccounts()
  // Once the server acknowledged topics without ticks, none follows.
  await frames.next((e) => e.event === 'subscribed' && frames.events.indexOf(e) >= left && !(e.payload.topics as string[]).includes('telemetry:tick'))
  await fence(sender, `${SENDER} 2`)
  const afterFence = frames.events.length
  await sendText(sender, receiver, 'no ticks for the accounts view')
  await expect.poll(async () => (await api('accounts:messages', { id: receiver.id })).some((m) => m.text === 'no ticks for the accounts view')).toBe(true)
  await fence(sender, SENDER)
  expect(frames.events.slice(afterFence).map((e) => e.event)).not.toContain('telemetry:tick')
})

test('scripts, stylesheets and JSON answers over 1 KiB arrive compressed', async ({ browser }) => {
  const context = await browser.newContext()
  const fresh = await context.newPage()
  const assets: Array<{ path: string; encoding: string | undefined; size: number }> = []
  const pending: Array<Promise<void>> = []
  fresh.on('response', (response) => {
    const path = new URL(response.url()).pathname
    if (!/\.(js|css)$/.test(path) && !path.startsWith('/api/')) return
    pending.push(
      response.body().then(
        (body) => void assets.push({ path, encoding: response.headers()['content-encoding'], size: body.length }),
        () => undefined,
      ),
    )
  })
  await fresh.goto(`${server().url}/#token=${server().token}`)
  await expect(fresh.locator('#main-heading')).toHaveText('Accounts')
  await new AppShell(fresh).openTelemetry()
  await expect(fresh.getByRole('figure', { name: /^Operations per second/ })).toBeVisible()
  await Promise.all(pending)
  const large = assets.filter((a) => a.size > 1024)
  expect(large.filter((a) => a.path.endsWith('.js')).length).toBeGreaterThan(2)
  // The telemetry series after this spec's messages is several KiB of JSON.
  expect(large.some((a) => a.path === '/api/telemetry:series')).toBe(true)
  for (const asset of large) expect(asset.encoding, `${asset.path} (${asset.size} bytes)`).toBe('br')
  await context.close()
})
