// docs/configuration.md lists every IRISH_* environment variable the code reads and every flag the three
// programs declare (serve, irish, the simulator), and no flag they do not. The code is read as text: a
// variable is any IRISH_ name in a source file, a flag any option declared to node:util's parseArgs.

import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..')
const DOC = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8')
const PROGRAMS = ['src/main/server/cli.ts', 'src/main/server/cli-flags.ts', 'src/main/cli/irish.ts', 'src/simulator/cli.ts']

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sources(path)
    return /\.(ts|tsx|mts|js|mjs|cjs)$/.test(entry.name) ? [path] : []
  })
}

function variablesInCode(): Set<string> {
  const files = [...['src', 'scripts', 'e2e', 'test', 'bench'].flatMap((dir) => sources(join(ROOT, dir))), join(ROOT, 'playwright.config.ts')]
  return new Set(files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bIRISH_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0])))
}

/** The options each program declares to parseArgs: `name: { type: 'string' }` and `'two-words': { type: 'boolean' … }`. */
export function declaredFlags(text: string): string[] {
  return [...text.matchAll(/(?:^|[\s{,])'?([a-z][a-z0-9-]*)'?:\s*\{\s*type:\s*'(?:string|boolean)'/gm)].map((m) => m[1]!)
}

describe('docs/configuration.md', () => {
  it('names every IRISH_ variable the code reads', () => {
    const vars = variablesInCode()
    expect(vars.size).toBeGreaterThan(10)
    expect([...vars].filter((name) => !DOC.includes(`\`${name}\``)).sort(), 'add these to docs/configuration.md').toEqual([])
  })

  it('names every flag that serve, irish and the simulator declare', () => {
    const flags = new Set(PROGRAMS.flatMap((file) => declaredFlags(readFileSync(join(ROOT, file), 'utf8'))))
    for (const expected of ['host', 'metrics-token', 'passphrase-file', 'no-start', 'admin-port', 'accept-duplicate-messages']) expect(flags).toContain(expected)
    expect([...flags].filter((flag) => !DOC.includes(`\`--${flag}`)).sort(), 'add these to docs/configuration.md').toEqual([])
  })

  it('names no flag the programs do not declare', () => {
    const flags = new Set(PROGRAMS.flatMap((file) => declaredFlags(readFileSync(join(ROOT, file), 'utf8'))))
    const rows = DOC.split('\n').filter((line) => line.startsWith('| `'))
    const documented = rows.flatMap((row) => [...(row.split(' | ')[0] ?? '').matchAll(/`--([a-z][a-z0-9-]*)/g)].map((m) => m[1]!))
    expect(documented.length).toBeGreaterThan(20)
    expect(documented.filter((flag) => !flags.has(flag))).toEqual([])
  })

  it('reads declarations the way parseArgs takes them', () => {
    expect(declaredFlags("options: {\n  host: { type: 'string', default: 'x' },\n  'log-level': { type: 'string' },\n  help: { type: 'boolean', short: 'h' } }")).toEqual(['host', 'log-level', 'help'])
  })
})
