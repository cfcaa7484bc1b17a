// Shared by every process: no electron, no node:*, no DOM. Tags: free labels an operator puts on many
// accounts at once ("vip", "eu-west", "campaign 7") to find them again. The one rule for a tag, used by
// the contract (accounts:tag refuses what breaks it), the core (which applies a change to an account's
// tags) and the renderer (its tag field and search). Tags compare without regard to case: adding "VIP"
// to an account tagged "vip" changes nothing, and removing "VIP" removes "vip".

import { z } from 'zod'
import { labelProblem } from './labels'

export const MAX_TAG_LENGTH = 32
/** Tags on one account at most: a tag is for finding a group, not a notebook. */
export const MAX_TAGS_PER_ACCOUNT = 20

/** Why `tag` (already trimmed) breaks the rule, for a person; null when it is fine. */
export function tagProblem(tag: string): string | null {
  if (tag.length === 0) return 'A tag cannot be empty.'
  if (tag.length > MAX_TAG_LENGTH) return `A tag is at most ${MAX_TAG_LENGTH} characters: "${tag.slice(0, MAX_TAG_LENGTH)}…" is longer.`
  // Commas separate tags where people type several at once.
  if (tag.includes(',')) return `A tag cannot contain a comma: "${tag}" would read as two tags.`
  // The label's rule for the rest: no control or direction-override characters, something visible.
  const problem = labelProblem(tag)
  return problem === null ? null : problem.replace(/^A label/, 'A tag')
}

export const TagSchema = z
  .string()
  .trim()
  .superRefine((tag, ctx) => {
    const problem = tagProblem(tag)
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem })
  })

const same = (a: string, b: string): boolean => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0

/**
 * An account's tags after a change: `remove` first, then `add` (each once, in the order given, keeping
 * the spelling already there). Throws a message when the result holds more than the most tags allowed.
 */
export function changeTags(current: readonly string[], change: { add?: readonly string[]; remove?: readonly string[] }): string[] {
  const kept = current.filter((tag) => !(change.remove ?? []).some((gone) => same(gone, tag)))
  for (const tag of change.add ?? []) if (!kept.some((held) => same(held, tag))) kept.push(tag)
  if (kept.length > MAX_TAGS_PER_ACCOUNT) {
    throw new RangeError(`An account has at most ${MAX_TAGS_PER_ACCOUNT} tags; this would give it ${kept.length}. Remove some first.`)
  }
  return kept
}

/** Whether two lists hold the same tags in the same order (a change that changes nothing is not written). */
export function sameTags(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((tag, i) => tag === b[i])
}

/** Tags typed into one field, "vip, eu-west ,  campaign 7": split on commas, trimmed, empty ones dropped. */
export function splitTags(text: string): string[] {
  return text
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag !== '')
}
