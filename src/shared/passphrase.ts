// A rough, honest passphrase strength estimate for the UI's hint (export bundles, etc.).
// Shared by every process: pure, no node:*, no electron, no DOM. Not a security boundary: the
// bundle code enforces only the minimum length; this just tells a person how guessable a choice is.

export type StrengthScore = 0 | 1 | 2 | 3 | 4

export interface PassphraseStrength {
  score: StrengthScore
  hint: string
}

/** Shortest passphrase a session bundle accepts. */
export const MIN_PASSPHRASE_LENGTH = 8

/** A handful of the most-used passwords; matched after lower-casing and undoing l33t swaps. */
const COMMON = [
  'password', 'passwort', 'qwerty', 'qwertyuiop', 'azerty', 'letmein', 'iloveyou', 'admin', 'welcome',
  'monkey', 'dragon', 'football', 'baseball', 'sunshine', 'princess', 'master', 'login', 'starwars',
  'trustno', 'superman', 'batman', 'shadow', 'michael', 'jennifer', 'hello', 'freedom', 'whatever',
  'changeme', 'secret', 'whatsapp', 'abc', 'qazwsx', 'zaqwsx', 'asdfgh', 'zxcvbn', 'iloveu', 'mustang',
  'charlie', 'access', 'flower', 'hunter', 'soccer', 'killer', 'pokemon', 'computer', 'internet',
]

/** Adjacent keys count as a sequence, like "abc" does. */
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm', '1234567890', 'azertyuiop', 'qwertzuiop']

/** Guesses per word for passphrases made of words: a 8,000-word vocabulary, about 13 bits. */
const BITS_PER_WORD = 13
/** A common word inside a longer passphrase is worth about this much, not its letters' worth. */
const BITS_PER_COMMON_WORD = 6

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' }

function unLeet(s: string): string {
  return [...s.toLowerCase()].map((c) => LEET[c] ?? c).join('')
}

function poolSize(chars: string[]): number {
  let pool = 0
  if (chars.some((c) => /[a-z]/.test(c))) pool += 26
  if (chars.some((c) => /[A-Z]/.test(c))) pool += 26
  if (chars.some((c) => /[0-9]/.test(c))) pool += 10
  if (chars.some((c) => /[\x20-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/.test(c))) pool += 33
  // Letters beyond ASCII: counted as one extra class of about a hundred, not as all of Unicode.
  if (chars.some((c) => c > '\x7e')) pool += 100
  return Math.max(pool, 1)
}

function adjacent(a: string, b: string): boolean {
  const ca = a.toLowerCase().codePointAt(0) ?? 0
  const cb = b.toLowerCase().codePointAt(0) ?? 0
  if (Math.abs(ca - cb) === 1) return true
  const pair = (a + b).toLowerCase()
  const reversed = (b + a).toLowerCase()
  return ROWS.some((row) => row.includes(pair) || row.includes(reversed))
}

/** Characters that repeat or continue a sequence add little: they count a quarter. */
function effectiveLength(chars: string[]): number {
  let length = 0
  for (let i = 0; i < chars.length; i++) {
    const prev = chars[i - 1]
    const c = chars[i] as string
    if (prev !== undefined && (prev === c || adjacent(prev, c))) length += 0.25
    else length += 1
  }
  return length
}

/** "abcabcabc" is "abc" plus a repeat count. */
function smallestUnit(chars: string[]): string[] {
  for (let size = 1; size <= chars.length / 2; size++) {
    if (chars.length % size !== 0) continue
    const unit = chars.slice(0, size)
    if (chars.every((c, i) => c === unit[i % size])) return unit
  }
  return chars
}

function charBits(chars: string[]): number {
  if (chars.length === 0) return 0
  const unit = smallestUnit(chars)
  const repeats = chars.length / unit.length
  return effectiveLength(unit) * Math.log2(poolSize(chars)) + (repeats > 1 ? Math.log2(repeats) : 0)
}

/** Removes common words from the text; returns what is left and how many were found. */
function stripCommon(p: string): { rest: string[]; found: number } {
  let chars = [...p]
  let found = 0
  const byLength = [...COMMON].sort((a, b) => b.length - a.length)
  for (const word of byLength) {
    for (;;) {
      const at = unLeet(chars.join('')).indexOf(word)
      if (at < 0) break
      // unLeet keeps one character per character, so indexes line up with the original.
      chars = [...chars.slice(0, at), ...chars.slice(at + [...word].length)]
      found++
    }
  }
  return { rest: chars, found }
}

function scoreFor(bits: number): StrengthScore {
  if (bits < 30) return 0
  if (bits < 45) return 1
  if (bits < 60) return 2
  if (bits < 75) return 3
  return 4
}

/** Estimates how hard `p` is to guess, with a hint for the person typing it. */
export function passphraseStrength(p: string): PassphraseStrength {
  const chars = [...p]
  if (chars.length === 0) return { score: 0, hint: 'Enter a passphrase.' }
  if (chars.length < MIN_PASSPHRASE_LENGTH) {
    return { score: 0, hint: `Too short: use at least ${MIN_PASSPHRASE_LENGTH} characters.` }
  }

  // The whole thing is a common password with digits or symbols tacked on ("Password123!").
  const trim = (s: string): string => s.replace(/^[^a-z]+|[^a-z]+$/g, '')
  if (COMMON.includes(trim(p.toLowerCase())) || COMMON.includes(trim(unLeet(p)))) {
    return { score: 0, hint: 'This is one of the most common passwords; pick something nobody would guess.' }
  }

  const { rest, found } = stripCommon(p)
  let bits = charBits(rest) + found * BITS_PER_COMMON_WORD

  // Words separated by spaces or dashes: count per word, since attackers guess whole words.
  const words = p.split(/[\s\-_.]+/).filter((w) => w.length > 0)
  const wordMode = words.length >= 2 && words.every((w) => /^\p{L}+$/u.test(w))
  if (wordMode) bits = Math.min(bits, words.length * BITS_PER_WORD)

  const score = scoreFor(bits)
  if (score === 0) {
    const unit = smallestUnit(chars)
    if (unit.length < chars.length || effectiveLength(chars) < chars.length / 2) {
      return { score, hint: 'Repeated or sequential characters are easy to guess; mix it up.' }
    }
    return { score, hint: 'Very weak: easy to guess. Use a longer passphrase, such as several unrelated words.' }
  }
  if (score === 1) {
    return { score, hint: wordMode ? 'Weak: add two or three more words.' : 'Weak: make it longer, or use several unrelated words.' }
  }
  if (score === 2) {
    return { score, hint: wordMode ? 'Fair: one or two more words would make it much stronger.' : 'Fair: a few more characters would make it much stronger.' }
  }
  if (score === 3) return { score, hint: 'Good: hard to guess.' }
  return { score, hint: 'Very strong.' }
}
