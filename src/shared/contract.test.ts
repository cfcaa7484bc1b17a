import { describe, expect, expectTypeOf, it } from 'vitest'
import { COMMAND_NAMES, EVENT_NAMES } from './channels'
import { commands, describeZodError, events, type CommandInput, type CommandOutput, type EventPayload, type AccountSummary } from './contract'

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
    expect(describeZodError(send.error!)).toBe(
      'Recipient: Give a phone number in international format, such as +1 555 010 0123, or a WhatsApp id.; The message is empty.',
    )
    const settings = commands['settings:set'].input.safeParse({ whatsappUrl: 'not a url' })
    expect(describeZodError(settings.error!)).toMatch(/^Endpoint URL: /)
    const rename = commands['accounts:rename'].input.safeParse({ id: 'acc-1', label: '  ' })
    expect(describeZodError(rename.error!)).toBe('A label cannot be empty.')
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
      expect(describeZodError(refused.error!)).toBe("Give the file's name without its folder.")
    }
    expect(describeZodError(exportInput.safeParse({ ...base, fileName: 'x'.repeat(256) }).error!)).toBe('A file name is at most 255 characters.')
  })
})

