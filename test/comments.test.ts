// Code comments name a document in this repository or a reason, never an issue number ("issue N",
// "#N"): an issue tracker is not where a reader of the code can look. Every comment in src/, bench/,
// e2e/, scripts/ and test/ is read (TypeScript and JavaScript through the compiler's own comment ranges,
// CSS and HTML by their comment syntax).

import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const ROOTS = ['src', 'bench', 'e2e', 'scripts', 'test']
const SCRIPT = /\.(ts|tsx|mts|cts|js|mjs|cjs)$/
const MARKUP = /\.(css|html)$/

/** "issue N", "issues N and M", "issue #N", and a bare "#N" with N a number (not "PKCS#8", nor a colour in code). */
const ISSUE_NUMBER = [/\bissues? ?#?\d/i, /(^|[\s([{,;:])#\d+\b/]

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : files(path)
    return SCRIPT.test(entry.name) || MARKUP.test(entry.name) ? [path] : []
  })
}

export function commentsOf(path: string, text: string): Array<{ line: number; text: string }> {
  const lineOf = (pos: number) => text.slice(0, pos).split('\n').length
  if (MARKUP.test(path)) {
    return [...text.matchAll(/\/\*[\s\S]*?\*\/|<!--[\s\S]*?-->/g)].map((m) => ({ line: lineOf(m.index), text: m[0] }))
  }
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, path.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS)
  const seen = new Map<number, string>()
  const collect = (ranges: readonly ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) seen.set(range.pos, text.slice(range.pos, range.end))
  }
  const visit = (node: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(text, node.getFullStart()))
    collect(ts.getTrailingCommentRanges(text, node.getEnd()))
    node.forEachChild(visit)
  }
  visit(source)
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.getFullStart()))
  return [...seen.entries()].map(([pos, comment]) => ({ line: lineOf(pos), text: comment }))
}

export function citesAnIssue(comment: string): boolean {
  return ISSUE_NUMBER.some((pattern) => pattern.test(comment))
}

describe('code comments', () => {
  it('cite no issue number anywhere in src/, bench/, e2e/, scripts/ or test/', () => {
    const found: string[] = []
    for (const root of ROOTS) {
      for (const path of files(join(ROOT, root))) {
        for (const comment of commentsOf(path, readFileSync(path, 'utf8'))) {
          if (citesAnIssue(comment.text)) found.push(`${relative(ROOT, path)}:${comment.line}: ${comment.text.split('\n')[0]}`)
        }
      }
    }
    expect(found, 'Name the document or the reason instead of the issue').toEqual([])
  })

  it('the check sees comments of each kind, and only comments', () => {
    const code = "const a = '#12 issue 3' // fixed for issue 15\n/* see #7 */\nconst b = `x // issue 4`\n"
    expect(commentsOf('x.ts', code).map((c) => [c.line, citesAnIssue(c.text)])).toEqual([
      [1, true],
      [2, true],
    ])
    expect(commentsOf('x.css', '.a { color: #123456; } /* Webhooks (issue 16) */').map((c) => citesAnIssue(c.text))).toEqual([true])
    expect(citesAnIssue('// PKCS#8 prefix, RFC 8410')).toBe(false)
    expect(citesAnIssue('// TODO(#12) later')).toBe(true)
  })
})
