// The docs a newcomer navigates: the README stays short (what the project is, set-up, running, testing,
// links; at most 250 lines), and every link between README.md, docs/ and the simulator's README points
// at a file that exists.

import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const MAX_README_LINES = 250
const PAGES = ['README.md', 'src/simulator/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)]

describe('the docs', () => {
  it(`keep the README at most ${MAX_README_LINES} lines: the rest belongs in docs/`, () => {
    const lines = readFileSync(join(ROOT, 'README.md'), 'utf8').trimEnd().split('\n').length
    expect(lines, `README.md has ${lines} lines; move a section into docs/ and link it`).toBeLessThanOrEqual(MAX_README_LINES)
  })

  it('link only to files that exist', () => {
    const broken: string[] = []
    for (const page of PAGES) {
      const text = readFileSync(join(ROOT, page), 'utf8')
      for (const match of text.matchAll(/\]\(([^)\s#]+)(#[^)\s]*)?\)/g)) {
        const target = match[1]!
        if (/^[a-z]+:/.test(target)) continue
        if (!existsSync(resolve(ROOT, dirname(page), target))) broken.push(`${page}: ${target}`)
      }
    }
    expect(PAGES.length).toBeGreaterThan(10)
    expect(broken).toEqual([])
  })
})
