import { describe, expect, it } from 'vitest'
import { MIN_PASSPHRASE_LENGTH, passphraseStrength } from './passphrase'

const score = (p: string): number => passphraseStrength(p).score

describe('passphraseStrength', () => {
  it('scores empty and short passphrases 0 and says how long to go', () => {
    expect(passphraseStrength('')).toEqual({ score: 0, hint: 'Enter a passphrase.' })
    const short = passphraseStrength('Xq7#a')
    expect(short.score).toBe(0)
    expect(short.hint).toContain(String(MIN_PASSPHRASE_LENGTH))
  })

  it('scores very common passwords 0, with digits, symbols or l33t swaps added', () => {
    for (const p of ['password', 'Password123!', 'P@ssw0rd', 'qwertyuiop', 'trustno1', 'iloveyou2024', 'letmein!!']) {
      const result = passphraseStrength(p)
      expect(result.score, p).toBe(0)
      expect(result.hint, p).toMatch(/most common/)
    }
  })

  it('sees through repeats and sequences', () => {
    for (const p of ['aaaaaaaaaaaa', '12345678', 'abcdefghij', 'abcabcabcabc', 'zxcvbnmasdf', '98765432']) {
      const result = passphraseStrength(p)
      expect(result.score, p).toBe(0)
      expect(result.hint, p).toMatch(/Repeated or sequential/)
    }
  })

  it('counts words as words, so a four-word phrase is fair and six words strong', () => {
    expect(score('correct horse battery staple')).toBe(2)
    expect(passphraseStrength('correct horse battery staple').hint).toMatch(/more words/)
    expect(score('correct horse battery staple plinth fjord')).toBe(4)
    expect(score('sunflower meadow')).toBe(0)
  })

  it('rewards length and mixed character classes', () => {
    expect(score('kq8vz3mw')).toBe(1)
    expect(score('Tr0ub4dor&3')).toBe(3)
    expect(score('xk9#Qm2!vL7p')).toBe(4)
    expect(score('Kx7#mQ2!vL9pW4$z')).toBe(4)
    expect(score('kq8vz3mw')).toBeLessThan(score('kq8vz3mwr5tj'))
  })

  it('discounts a common word inside a longer passphrase', () => {
    expect(score('mypassword2024')).toBeLessThan(score('mxqbtlkrw2024z'))
  })

  it('handles non-ASCII text', () => {
    expect(score('été à la plage demain')).toBeGreaterThanOrEqual(2)
    expect(score('日本語のパスフレーズです')).toBeGreaterThanOrEqual(1)
  })

  it('is pure: the same input gives the same answer and every score has a hint', () => {
    for (const p of ['', 'abc', 'password', 'kq8vz3mw', 'correct horse battery staple', 'xk9#Qm2!vL7p']) {
      expect(passphraseStrength(p)).toEqual(passphraseStrength(p))
      expect(passphraseStrength(p).hint.length).toBeGreaterThan(0)
    }
  })
})
