// The label rule and the cleaning export applies to labels stored before the rule, including
// property-based checks: whatever the input, the schema answers (never throws) and cleaning yields a
// label the rule accepts.

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { cleanLabel, LabelSchema, labelProblem, MAX_LABEL_LENGTH } from './labels'

describe('label rule', () => {
  it.each([
    ['a line break', 'Sales\nteam'],
    ['a tab', 'Sales\tteam'],
    ['NUL', 'Sales\u0000'],
    ['DEL', 'Sales\u007f'],
    ['a C1 control', 'Sales\u0085'],
    ['a line separator', 'Sales\u2028team'],
    ['a lone surrogate', 'Sales\ud800'],
  ])('refuses %s', (_what, label) => {
    expect(labelProblem(label)).toMatch(/control characters/)
  })

  it.each([
    ['right-to-left override', 'Support \u202e1555'],
    ['left-to-right embedding', '\u202aSupport'],
    ['first-strong isolate', 'Support \u2068x\u2069'],
  ])('refuses a %s', (_what, label) => {
    expect(labelProblem(label)).toMatch(/text-direction/)
  })

  it.each([
    ['zero-width spaces', '\u200b\u200b\u200b'],
    ['a zero-width joiner and a BOM', '\u200d\ufeff'],
    ['Hangul fillers', '\u3164\u3164'],
    ['combining marks alone', '\u0301\u0302'],
    ['a braille blank', '\u2800'],
  ])('refuses a label of only %s', (_what, label) => {
    expect(labelProblem(label)).toMatch(/visible character/)
  })

  it.each(['Sales', 'Équipe de nuit', 'دعم العملاء', '客服 2', 'Team 👩‍💻', 'x'.repeat(MAX_LABEL_LENGTH)])('accepts %s', (label) => {
    expect(labelProblem(label)).toBeNull()
  })

  it('is what the schema applies, after trimming, with the same message', () => {
    expect(LabelSchema.safeParse('  Sales  ')).toEqual({ success: true, data: 'Sales' })
    const refused = LabelSchema.safeParse('a\u202eb')
    expect(refused.success).toBe(false)
    expect(refused.error?.issues[0]?.message).toMatch(/text-direction/)
    expect(LabelSchema.safeParse('x'.repeat(MAX_LABEL_LENGTH + 1)).success).toBe(false)
    expect(LabelSchema.safeParse('+1555\u200f0100').error?.issues[0]?.message).toMatch(/text-direction/)
  })
})

describe('cleanLabel', () => {
  it('turns controls into spaces, drops direction overrides, and falls back when nothing visible is left', () => {
    expect(cleanLabel('Sales\nteam\t2', '+1555')).toBe('Sales team 2')
    expect(cleanLabel('Support \u202e1555', '+1555')).toBe('Support 1555')
    expect(cleanLabel('\u200b\u200b', '+1555')).toBe('+1555')
    expect(cleanLabel(null, 'Account')).toBe('Account')
    expect(cleanLabel(`${'a'.repeat(79)}👩`, 'x')).toBe('a'.repeat(79))
  })

  it('drops direction marks and invisible format characters, and keeps joiners and flag tags', () => {
    expect(cleanLabel('\u200fSupport\u200e +1\u061c555', 'x')).toBe('Support +1555')
    expect(cleanLabel('Sa\u200bles\u2060 \ufeffteam\u00ad', 'x')).toBe('Sales team')
    expect(cleanLabel('Team 👩\u200d💻', 'x')).toBe('Team 👩\u200d💻')
    expect(cleanLabel('می\u200cخواهم', 'x')).toBe('می\u200cخواهم')
    const scotland = '🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}'
    expect(cleanLabel(`Glasgow ${scotland}`, 'x')).toBe(`Glasgow ${scotland}`)
  })

  it('always yields a label the rule accepts, from any string (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (input) => {
        expect(labelProblem(cleanLabel(input, 'Account'))).toBeNull()
      }),
      { numRuns: 2000 },
    )
  })

  it('never throws in the schema and accepts exactly what labelProblem accepts (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 120 }), (input) => {
        const parsed = LabelSchema.safeParse(input)
        expect(parsed.success).toBe(labelProblem(input.trim()) === null)
      }),
      { numRuns: 2000 },
    )
  })
})
