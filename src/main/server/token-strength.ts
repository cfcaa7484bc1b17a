// How hard an operator-chosen token is to guess, in bits. Node only. zxcvbn-ts (with its common and
// English dictionaries) finds the parts of the token an attacker enumerates first: repeats, sequences,
// keyboard runs, dates, dictionary words and their l33t spellings. Those parts count for the guesses
// zxcvbn gives them, which is next to nothing; only the parts where it finds no pattern count at the
// size of the token's alphabet. zxcvbn alone counts every random character as one decimal digit
// (3.3 bits), so by itself it would call a 256-bit base64url token 143 bits and a 128-bit one 73.
//
// Imported only where a token is checked (token.ts loads it on demand): the dictionaries take about
// 15 MB of heap, and the estimator built from them about as much again. The estimator is built for each
// check and not kept: the server checks its tokens once, at start, and an idle server should not hold it.

import { ZxcvbnFactory } from '@zxcvbn-ts/core'
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common'
import { dictionary as englishDictionary, translations } from '@zxcvbn-ts/language-en'

function zxcvbn(): ZxcvbnFactory {
  // l33tMaxSubstitutions: 5 still finds "p4ssw0rd"; the default (100) spends a second or more on every
  // hex token, whose digits all look like l33t letters.
  return new ZxcvbnFactory({
    dictionary: { ...commonDictionary, ...englishDictionary },
    graphs: adjacencyGraphs,
    translations,
    l33tMaxSubstitutions: 5,
  })
}

/**
 * Bits an attacker must guess: the sum over the token's parts of log2(zxcvbn's guesses) for a part that
 * follows a pattern, and length × log2(alphabet) for a part that follows none.
 */
export function estimatedTokenBits(token: string): number {
  if (token.length === 0) return 0
  const perRandomChar = Math.log2(alphabetSize(token))
  let bits = 0
  for (const part of zxcvbn().check(token).sequence) {
    bits += part.pattern === 'bruteforce' ? part.token.length * perRandomChar : Math.log2(Math.max(1, part.guesses))
  }
  return bits
}

/**
 * The alphabet a random token of this kind is drawn from: 16 when every character is a hex digit
 * (`openssl rand -hex` never uses the other letters), else the union of the classes it uses (lowercase
 * 26, uppercase 26, digits 10, "-" and "_" 2, anything else 33 printable ASCII symbols).
 */
export function alphabetSize(token: string): number {
  if (/^[0-9a-f]+$/.test(token) || /^[0-9A-F]+$/.test(token)) return 16
  let size = 0
  if (/[a-z]/.test(token)) size += 26
  if (/[A-Z]/.test(token)) size += 26
  if (/[0-9]/.test(token)) size += 10
  if (/[-_]/.test(token)) size += 2
  if (/[^a-zA-Z0-9_-]/.test(token)) size += 33
  return Math.max(size, 2)
}
