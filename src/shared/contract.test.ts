import { describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { COMMAND_NAMES, EVENT_NAMES } from './channels'
import type { AccountId } from './ids'
import {
  ACCOUNT_FIELDS,
  SUBJECT_FIELDS,
  CLI_VERBS,
  commands,
  describeZodError,
  events,
  OWNER_BOUND_COMMANDS,
  RELAYED_EVENTS,
  WEBHOOK_EVENTS,
  type CommandInput,
  type CommandOutput,
  type EventPayload,
  type AccountSummary,
} from './contract'
import { BODY_CLASSES, ROLES } from './policy'

describe('the contract', () => {
  it('defines a schema for every command name and event name, and nothing else', () => {
    expect(Object.keys(commands).sort()).toEqual([...COMMAND_NAMES].sort())
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort())
  })

  it('types inputs and outputs from the schemas', () => {
    expectTypeOf<CommandInput<'accounts:send-text'>>().toEqualTypeOf<{ id: string; to: string; text: string }>()
    expectTypeOf<CommandOutput<'accounts:list'>>().toEqualTypeOf<AccountSummary[]>()
    expectTypeOf<EventPayload<'accounts:removed'>['id']>().toMatchTypeOf<string>()
    // @ts-expect-error: not a command of the contract.
    expectTypeOf<CommandInput<'accounts:explode'>>()
  })

  it('rejects unknown fields, bad ids and oversized text with readable messages', () => {
    const send = commands['accounts:send-text'].input
    expect(send.safeParse({ id: 'acc-1', to: '+15550000001', text: 'hi' }).success).toBe(true)
    expect(send.safeParse({ id: 'acc-1', to: '+15550000001', text: 'hi', extra: 1 }).success).toBe(false)
    expect(send.safeParse({ id: 'ACC 1', to: '+15550000001', text: 'hi' }).success).toBe(false)
    const long = send.safeParse({ id: 'acc-1', to: '15550000001', text: 'x'.repeat(4097) })
    expect(long.success).toBe(false)
    expect(long.error?.issues[0]?.message).toBe('A message is at most 4096 characters.')
  })
})

describe('input that people type', () => {
  it('accepts a phone number with spaces, dashes, dots and parentheses, and keeps a jid as it is', () => {
    const send = commands['accounts:send-text'].input
    expect(send.parse({ id: 'acc-1', to: ' +1 (555) 010-0123 ', text: 'hi' }).to).toBe('+15550100123')
    expect(send.parse({ id: 'acc-1', to: '1.555.010.0123', text: 'hi' }).to).toBe('15550100123')
    expect(send.parse({ id: 'acc-1', to: '123@lid', text: 'hi' }).to).toBe('123@lid')
    expect(send.safeParse({ id: 'acc-1', to: '+1 (555) abc', text: 'hi' }).success).toBe(false)
  })

  it('describes problems without schema paths', () => {
    const send = commands['accounts:send-text'].input.safeParse({ id: 'acc-1', to: '12', text: '' })
    expect(describeZodError(send.error!, 'accounts:send-text')).toBe(
      'Recipient: Give a phone number in international format, such as +1 555 010 0123, or a WhatsApp id.; The message is empty.',
    )
    const settings = commands['settings:set'].input.safeParse({ whatsappUrl: 'not a url' })
    expect(describeZodError(settings.error!, 'settings:set')).toMatch(/^Endpoint URL: /)
    const rename = commands['accounts:rename'].input.safeParse({ id: 'acc-1', label: '  ' })
    expect(describeZodError(rename.error!, 'accounts:rename')).toBe('A label cannot be empty.')
  })
})

describe('transfer:export file names', () => {
  it('takes a file name without its folder, and says so when given a path', () => {
    const exportInput = commands['transfer:export'].input
    const base = { id: 'acc-1', passphrase: 'long enough passphrase', mode: 'move' }
    expect(exportInput.parse({ ...base, fileName: ' alice.irishbundle ' }).fileName).toBe('alice.irishbundle')
    expect(exportInput.parse(base).fileName).toBeUndefined()
    for (const fileName of ['/tmp/alice.irishbundle', 'dir\\alice.irishbundle', '..', 'a\0b']) {
      const refused = exportInput.safeParse({ ...base, fileName })
      expect(refused.success, fileName).toBe(false)
      expect(describeZodError(refused.error!, 'transfer:export')).toBe("Give the file's name without its folder.")
    }
    expect(describeZodError(exportInput.safeParse({ ...base, fileName: 'x'.repeat(256) }).error!, 'transfer:export')).toBe('A file name is at most 255 characters.')
  })
})


/** The keys of an object schema (every command input and event payload is one). */
function keysOf(schema: z.ZodType): string[] {
  expect(schema).toBeInstanceOf(z.ZodObject)
  return Object.keys((schema as z.ZodObject).shape)
}

describe('the registry', () => {
  const DECISIONS = ['activity', 'body', 'cli', 'fields', 'fleet', 'forViewer', 'input', 'output', 'role']
  const EVENT_DECISIONS = ['account', 'fleet', 'forViewer', 'label', 'payload', 'repeatsBy', 'webhook']

  it.each(COMMAND_NAMES)('%s declares every decision, each one it can be', (name) => {
    const declaration = commands[name]
    expect(Object.keys(declaration).sort()).toEqual(DECISIONS)
    expect(ROLES).toContain(declaration.role)
    expect(BODY_CLASSES).toContain(declaration.body)
    const fields = keysOf(declaration.input)
    // Every input field has a label a person knows it by, and nothing else does.
    expect(Object.keys(declaration.fields).sort()).toEqual([...fields].sort())
    for (const label of Object.values(declaration.fields)) expect(label.trim()).not.toBe('')
    const fleet = declaration.fleet as (typeof commands)[keyof typeof commands]['fleet']
    if (fleet !== 'any-server') {
      const field = 'owner' in fleet ? fleet.owner : fleet.owners
      expect(fields).toContain(field)
    }
    const activity = declaration.activity
    if (activity !== null) {
      expect(['command', 'transfer']).toContain(activity.kind)
      expect(['named', 'results']).toContain(activity.accounts)
      expect(typeof activity.say).toBe('function')
    }
    // One word, or two for a family of verbs (tokens add, tokens list).
    if (declaration.cli !== null) expect(declaration.cli).toMatch(/^[a-z][a-z-]*( [a-z][a-z-]*)?$/)
    if (declaration.forViewer !== null) {
      expect(typeof declaration.forViewer).toBe('function')
      // Holding something back from a viewer means nothing unless a viewer may ask.
      expect(declaration.role).toBe('viewer')
    }
  })

  it('holds back a QR payload, a linking code and message text from a viewer, in every answer and event it can read', () => {
    // A schema that can carry one of them: a pairing state (qr, code) or a received message (text).
    const carriesSecrets = (schema: z.ZodType): boolean => {
      const json = JSON.stringify(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }))
      return json.includes('"qr"') || (json.includes('"text"') && json.includes('"from"'))
    }
    for (const name of COMMAND_NAMES.filter((c) => commands[c].role === 'viewer')) {
      if (carriesSecrets(commands[name].output)) expect(commands[name].forViewer, name).not.toBeNull()
    }
    for (const name of EVENT_NAMES) if (carriesSecrets(events[name].payload)) expect(events[name].forViewer, name).not.toBeNull()

    const state = {
      id: 'acc-1' as AccountId,
      qr: '2@abc',
      expiresAt: 1,
      status: 'pairing' as const,
      method: 'code' as const,
      code: 'ABCD-EFGH',
      codeExpiresAt: 2,
      phone: '15550001111',
      passkey: null,
      passkeyError: null,
    }
    expect(commands['accounts:pairing'].forViewer!(state)).toEqual({ ...state, qr: null, code: null })
    expect(events['accounts:qr'].forViewer!(state)).toEqual({ ...state, qr: null, code: null })
    // A passkey check's ceremony link carries a single-use token that answers the check.
    const ceremonyUrl = 'https://web.whatsapp.com/#irish-passkey=tok'
    const passkeyState = { ...state, method: 'passkey' as const, qr: null, code: null, passkey: { phase: 'required' as const, options: { challenge: 'abc' }, ceremonyUrl, expiresAt: 1 } }
    expect(JSON.stringify(commands['accounts:pairing'].forViewer!(passkeyState))).not.toContain(ceremonyUrl)
    expect(JSON.stringify(events['accounts:qr'].forViewer!(passkeyState))).not.toContain(ceremonyUrl)
    const message = { account: 'acc-1' as AccountId, id: 'm1', from: '15550002222@s.whatsapp.net', fromPhone: '+15550002222', fromLid: null, text: 'the secret', at: 3 }
    expect(events['accounts:message'].forViewer!(message)).toEqual({ ...message, text: '' })
  })

  it('reads the account fields of every command off its schema', () => {
    expect(ACCOUNT_FIELDS.get('accounts:start')).toEqual({ one: ['id'], many: [] })
    expect(ACCOUNT_FIELDS.get('accounts:bulk')).toEqual({ one: [], many: ['ids'] })
    expect(ACCOUNT_FIELDS.get('telemetry:snapshot')).toEqual({ one: ['account'], many: [] })
    expect(ACCOUNT_FIELDS.get('telemetry:watch')).toEqual({ one: [], many: ['accounts'] })
    expect(ACCOUNT_FIELDS.get('webhooks:remove')).toEqual({ one: [], many: [] })
    // Every field called like an account is one, so the door checks it.
    for (const name of COMMAND_NAMES) {
      const { one, many } = ACCOUNT_FIELDS.get(name)!
      const keys = keysOf(commands[name].input)
      if (name.startsWith('accounts:') && keys.includes('id')) expect(one, name).toContain('id')
      if (keys.includes('account')) expect(one, name).toContain('account')
      if (keys.includes('ids')) expect(many, name).toContain('ids')
    }
    expect(SUBJECT_FIELDS.get('tokens:revoke')).toEqual(['name'])
    expect(SUBJECT_FIELDS.get('webhooks:remove')).toEqual(['id'])
    expect(SUBJECT_FIELDS.get('transfer:hand-off')).toEqual(['id'])
    expect(SUBJECT_FIELDS.get('accounts:send-text')).toEqual([])
  })

  it('gives each CLI verb to one command', () => {
    const verbs = COMMAND_NAMES.map((name) => commands[name].cli).filter((verb) => verb !== null)
    expect(new Set(verbs).size).toBe(verbs.length)
    expect([...CLI_VERBS.keys()].sort()).toEqual([...verbs].sort())
  })

  it('forwards to the owner every command that needs its socket or memory, pairing by code included', () => {
    for (const name of ['accounts:pair-code', 'simulator:enter-code', 'simulator:scan', 'accounts:pairing', 'accounts:send-text', 'accounts:bulk']) {
      expect(OWNER_BOUND_COMMANDS).toContain(name)
    }
    for (const name of ['accounts:list', 'accounts:add', 'accounts:activity', 'transfer:import-folder']) expect(OWNER_BOUND_COMMANDS).not.toContain(name)
  })

  it.each(EVENT_NAMES)('%s declares every decision, each one it can be', (name) => {
    const declaration = events[name]
    expect(Object.keys(declaration).sort()).toEqual(EVENT_DECISIONS)
    const fields = keysOf(declaration.payload)
    if (declaration.account !== null) expect(fields).toContain(declaration.account)
    if (declaration.repeatsBy !== null) {
      expect(fields).toContain(declaration.repeatsBy)
      // A repeat is recognised per account: without one there is nothing to tell it apart by.
      expect(declaration.account).not.toBeNull()
    }
    expect(['relay', 'local']).toContain(declaration.fleet)
    expect(typeof declaration.webhook).toBe('boolean')
    expect(declaration.label.trim()).not.toBe('')
  })

  it('derives the relayed and the webhook events from the declarations', () => {
    expect([...RELAYED_EVENTS].sort()).toEqual([
      'accounts:changed',
      'accounts:condition',
      'accounts:lid-mapping',
      'accounts:message',
      'accounts:message-sent',
      'accounts:qr',
      'accounts:removed',
    ])
    expect(WEBHOOK_EVENTS).toEqual([
      'accounts:message',
      'accounts:message-sent',
      'accounts:changed',
      'accounts:removed',
      'accounts:qr',
      'accounts:condition',
      'accounts:lid-mapping',
    ])
    expect(new Set(EVENT_NAMES.map((name) => events[name].label)).size).toBe(EVENT_NAMES.length)
  })
})
