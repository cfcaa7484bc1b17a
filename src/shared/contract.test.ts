import { describe, expect, expectTypeOf, it } from 'vitest'
import { COMMAND_NAMES, EVENT_NAMES } from './channels'
import { commands, events, type CommandInput, type CommandOutput, type EventPayload, type AccountSummary } from './contract'

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
