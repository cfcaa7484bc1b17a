// Shared by every process: no electron, no node:*, no DOM. The one rule for an account's label, used by
// the contract's schemas (so IPC, HTTP and the CLI refuse the same labels with invalid-input), by the
// renderer's forms, and by export, which cleans a label stored before the rule existed instead of
// failing on it.
//
// A label is shown in lists, written into bundle metadata and file names, and printed by the CLI: a
// control character breaks the bundle writer and terminals, a bidi override makes "+1555…" read as
// another number, and a label of only invisible characters cannot be told apart from no label.

import { z } from 'zod'

export const MAX_LABEL_LENGTH = 80

// C0, DEL, C1 controls, line and paragraph separators, lone surrogates.
const CONTROL = /[\p{Cc}\u2028\u2029\p{Cs}]/u
// Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): they reorder what follows;
// and the marks (LRM RLM ALM), which reorder the signs and spaces around them.
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/u
// Format characters that show nothing and can hide in a name (zero-width space, word joiner, BOM, soft
// hyphen, invisible operators …). Not the joiners (ZWJ, ZWNJ), which emoji sequences and several scripts
// need, nor tag characters, which make up subdivision flags.
const HIDDEN_FORMAT = /(?!\u200c|\u200d|[\u{e0020}-\u{e007f}])\p{Cf}/gu
// Characters that show nothing on their own: whitespace, format characters (zero-width space and
// joiners, marks, BOM, soft hyphen…), fillers that render blank, and combining marks with no base.
const INVISIBLE = /[\s\p{Cf}\p{Mn}\p{Me}\u115f\u1160\u3164\uffa0\u2800]/gu

/** Why `label` (already trimmed) breaks the rule, as a message for a person; null when it is fine. */
export function labelProblem(label: string): string | null {
  if (label.length === 0) return 'A label cannot be empty.'
  if (label.length > MAX_LABEL_LENGTH) return `A label is at most ${MAX_LABEL_LENGTH} characters.`
  if (CONTROL.test(label)) return 'A label cannot contain control characters (line breaks, tabs and the like).'
  if (BIDI_CONTROL.test(label)) return 'A label cannot contain text-direction override characters.'
  if (label.replace(INVISIBLE, '') === '') return 'A label needs at least one visible character.'
  return null
}

/** The contract's label: trimmed, then held to the rule; failures are invalid-input with the message above. */
export const LabelSchema = z
  .string()
  .trim()
  .superRefine((label, ctx) => {
    const problem = labelProblem(label)
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })

/**
 * A label that keeps to the rule, made from one that may not (stored before the rule, or from a
 * bundle's metadata): controls become spaces, direction controls and other invisible format characters
 * go, runs of spaces collapse. When nothing visible is left, `fallback`.
 */
export function cleanLabel(label: string | null | undefined, fallback: string): string {
  const cleaned = (label ?? '')
    .replace(new RegExp(CONTROL.source, 'gu'), ' ')
    .replace(new RegExp(BIDI_CONTROL.source, 'gu'), '')
    .replace(HIDDEN_FORMAT, '')
    .replace(/\s+/gu, ' ')
    .trim()
  // Clipped by whole code points, so an emoji is never cut in half into a lone surrogate.
  let clipped = ''
  for (const char of cleaned) {
    if (clipped.length + char.length > MAX_LABEL_LENGTH) break
    clipped += char
  }
  clipped = clipped.trim()
  return labelProblem(clipped) === null ? clipped : fallback
}
