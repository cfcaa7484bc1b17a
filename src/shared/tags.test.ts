import { describe, expect, it } from 'vitest'
import { changeTags, MAX_TAG_LENGTH, MAX_TAGS_PER_ACCOUNT, sameTags, splitTags, TagSchema, tagProblem } from './tags'

describe('tags', () => {
  it('removes, then adds, without regard to case, keeping the spelling already there', () => {
    expect(changeTags(['vip', 'eu'], { add: ['VIP', 'Campaign 7'] })).toEqual(['vip', 'eu', 'Campaign 7'])
    expect(changeTags(['vip', 'eu'], { remove: ['EU'] })).toEqual(['vip'])
    // Removed and added in one change: the new spelling.
    expect(changeTags(['vip'], { remove: ['vip'], add: ['VIP'] })).toEqual(['VIP'])
    expect(changeTags([], { add: ['a', 'A', 'a'] })).toEqual(['a'])
    expect(sameTags(changeTags(['x'], { remove: ['y'] }), ['x'])).toBe(true)
  })

  it('refuses more than the most tags an account may have, in words', () => {
    const many = Array.from({ length: MAX_TAGS_PER_ACCOUNT }, (_, i) => `t${i}`)
    expect(changeTags(many.slice(1), { add: ['new'] })).toHaveLength(MAX_TAGS_PER_ACCOUNT)
    expect(() => changeTags(many, { add: ['one more'] })).toThrow(`An account has at most ${MAX_TAGS_PER_ACCOUNT} tags; this would give it ${MAX_TAGS_PER_ACCOUNT + 1}. Remove some first.`)
  })

  it('says what is wrong with a tag', () => {
    expect(tagProblem('vip')).toBeNull()
    expect(tagProblem('')).toBe('A tag cannot be empty.')
    expect(tagProblem('a,b')).toBe('A tag cannot contain a comma: "a,b" would read as two tags.')
    expect(tagProblem('x'.repeat(MAX_TAG_LENGTH + 1))).toMatch(/^A tag is at most 32 characters/)
    expect(tagProblem('line\nbreak')).toMatch(/^A tag cannot contain control characters/)
    expect(tagProblem('\u200b')).toBe('A tag needs at least one visible character.')
    expect(TagSchema.parse('  spaced  ')).toBe('spaced')
    expect(TagSchema.safeParse('   ').error?.issues[0]?.message).toBe('A tag cannot be empty.')
  })

  it('splits what a person types into one field', () => {
    expect(splitTags(' vip, eu-west ,, campaign 7 ')).toEqual(['vip', 'eu-west', 'campaign 7'])
    expect(splitTags('')).toEqual([])
  })
})
