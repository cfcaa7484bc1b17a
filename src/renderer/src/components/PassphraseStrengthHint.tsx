// A live strength hint under a new passphrase: a five-step bar (decoration) and words (the signal),
// from the shared estimate, so the desktop app and the browser say the same thing.

import { passphraseStrength } from '../../../shared/passphrase'
import './passphrase-strength.css'

const WORDS = ['Very weak', 'Weak', 'Fair', 'Good', 'Very strong'] as const

export function PassphraseStrengthHint({ id, passphrase }: { id: string; passphrase: string }) {
  const { score, hint } = passphraseStrength(passphrase)
  const empty = passphrase.length === 0
  return (
    <div className={`strength strength-${empty ? 'empty' : score}`}>
      <div className="strength-bar" aria-hidden="true">
        {[0, 1, 2, 3, 4].map((step) => (
          <span key={step} className={!empty && step <= score ? 'on' : undefined} />
        ))}
      </div>
      <p id={id} className="strength-hint" aria-live="polite">
        {empty ? hint : describe(score, hint)}
      </p>
    </div>
  )
}

/** "Weak: add two words." → "Weak. Add two words."; a hint without its own level word gets one in front. */
function describe(score: number, hint: string): string {
  const rest = hint.replace(/^(Very weak|Weak|Fair|Good|Very strong)[:.]?\s*/, '')
  const word = WORDS[score] ?? WORDS[0]
  if (rest === '') return `${word}.`
  return `${word}. ${rest.charAt(0).toUpperCase()}${rest.slice(1)}`
}
