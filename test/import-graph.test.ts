// The house has no circles: across src/, bench/, e2e/, scripts/ (and test/) no file imports another that imports
// it back (directly or round a loop; type-only imports count), and no import crosses a layer boundary
// the wrong way (the simulator never imports the app, the core imports no shell and the simulator only
// at the edge, production code no test helper). The graph is read by scripts/import-graph.ts with the
// TypeScript compiler's own parser and module resolution.

import { describe, expect, it } from 'vitest'
import { findCycles, findFolderCycles, findUpwardImports, readImportGraph, type ImportGraph } from '../scripts/import-graph'

describe('the import graph', () => {
  const graph = readImportGraph()

  it('is read whole: every root has files, and type-only imports are seen', () => {
    for (const root of ['src/', 'bench/', 'e2e/', 'scripts/', 'test/']) expect(graph.files.some((f) => f.startsWith(root))).toBe(true)
    expect(graph.edges.some((e) => e.typeOnly)).toBe(true)
    // One known arrow of each kind, so a resolver that silently finds nothing fails here.
    expect(graph.edges).toContainEqual({ from: 'src/main/core/create-core.ts', to: 'src/main/core/api/handlers.ts', typeOnly: false })
    expect(graph.edges.some((e) => e.from === 'src/preload/index.ts' && e.to === 'src/shared/bridge.ts' && e.typeOnly)).toBe(true)
  })

  it('has no import cycle', () => {
    expect(findCycles(graph)).toEqual([])
  })

  it('has no cycle between folders either (a capability folder never imports one that imports it back)', () => {
    expect(findFolderCycles(graph)).toEqual([])
  })

  it('has no import that crosses a layer boundary the wrong way', () => {
    expect(findUpwardImports(graph).map((e) => `${e.from} -> ${e.to}: ${e.rule}`)).toEqual([])
  })
})

describe('the checks themselves', () => {
  const sample: ImportGraph = {
    files: ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'src/simulator/x.ts', 'src/main/core/y.ts', 'src/main/server/cli.ts', 'src/main/core/y.test.ts', 'test/support/z.ts'],
    edges: [
      { from: 'a.ts', to: 'b.ts', typeOnly: false },
      { from: 'b.ts', to: 'c.ts', typeOnly: false },
      { from: 'c.ts', to: 'a.ts', typeOnly: true },
      { from: 'c.ts', to: 'd.ts', typeOnly: false },
      { from: 'src/simulator/x.ts', to: 'src/main/core/y.ts', typeOnly: true },
      { from: 'src/main/server/cli.ts', to: 'src/simulator/x.ts', typeOnly: false },
      { from: 'src/main/core/y.ts', to: 'src/simulator/x.ts', typeOnly: false },
      { from: 'src/main/core/y.test.ts', to: 'test/support/z.ts', typeOnly: false },
      { from: 'src/main/core/y.ts', to: 'test/support/z.ts', typeOnly: true },
    ],
  }

  it('finds a loop closed by a type-only import, and each loop once', () => {
    const cycles = findCycles(sample)
    expect(cycles).toContainEqual(['a.ts', 'b.ts', 'c.ts'])
    expect(cycles).toContainEqual(['src/main/core/y.ts', 'src/simulator/x.ts'])
    expect(cycles).toHaveLength(2)
  })

  it('finds folders that import each other through different files', () => {
    const folders: ImportGraph = {
      files: ['src/main/core/db/a.ts', 'src/main/core/db/b.ts', 'src/main/core/auth-store/c.ts', 'src/main/core/auth-store/c.test.ts'],
      edges: [
        { from: 'src/main/core/db/a.ts', to: 'src/main/core/auth-store/c.ts', typeOnly: true },
        { from: 'src/main/core/auth-store/c.ts', to: 'src/main/core/db/b.ts', typeOnly: false },
      ],
    }
    expect(findCycles(folders)).toEqual([])
    expect(findFolderCycles(folders)).toEqual([['src/main/core/auth-store', 'src/main/core/db']])
  })

  it('finds upward imports, except at the named edge', () => {
    const upward = findUpwardImports(sample).map((e) => `${e.from} -> ${e.to}`)
    expect(upward).toEqual(['src/simulator/x.ts -> src/main/core/y.ts', 'src/main/core/y.ts -> src/simulator/x.ts', 'src/main/core/y.ts -> test/support/z.ts'])
  })
})
