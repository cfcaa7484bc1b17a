// The project's import graph, read with the TypeScript compiler's own parser and module resolution:
// every import, export-from, `import type`, dynamic `import()` and `require()` between the project's
// files under src/, bench/, e2e/, scripts/ and test/. It reports the import cycles (files that import one
// another, directly or round a loop, type-only imports counted) and the imports that point up across a
// boundary of the layering (LAYER_RULES below, the same rules eslint.config.js holds per file), and the
// cycles between folders. test/import-graph.test.ts fails on any of them.
//   npx tsx scripts/import-graph.ts        prints the graph's size, its cycles and its upward imports

import './require-node24.mjs'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = resolve(import.meta.dirname, '..')
export const GRAPH_ROOTS = ['src', 'bench', 'e2e', 'scripts', 'test'] as const
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.mjs', '.cts', '.js']

export interface ImportEdge {
  from: string
  to: string
  typeOnly: boolean
}

export interface ImportGraph {
  files: string[]
  edges: ImportEdge[]
}

/**
 * An import that crosses a boundary the wrong way: `from` files (by path prefix) must not import `to`
 * files, except the listed edge files. Paths are relative to the repository, with forward slashes.
 */
export interface LayerRule {
  name: string
  from: string
  to: string
  except?: readonly string[]
  /** The rule binds production files only: a test (`*.test.ts`) may import across it. */
  productionOnly?: boolean
}

export const LAYER_RULES: readonly LayerRule[] = [
  { name: 'shared is the bottom: it imports no app code', from: 'src/shared/', to: 'src/main/' },
  { name: 'shared is the bottom: it imports no app code', from: 'src/shared/', to: 'src/simulator/' },
  { name: 'shared is the bottom: it imports no app code', from: 'src/shared/', to: 'src/renderer/' },
  { name: 'the WhatsApp protocol code imports no app code', from: 'src/whatsapp-protocol/', to: 'src/main/' },
  { name: 'the WhatsApp protocol code imports no app code', from: 'src/whatsapp-protocol/', to: 'src/simulator/' },
  { name: 'the simulator never imports the app', from: 'src/simulator/', to: 'src/main/' },
  {
    name: 'the app imports the simulator only where an embedded simulator is wired in',
    from: 'src/main/',
    to: 'src/simulator/',
    except: ['src/main/embedded-simulator.ts', 'src/main/server/cli.ts', 'src/main/electron/index.ts'],
  },
  { name: 'the core never imports a shell', from: 'src/main/core/', to: 'src/main/electron/' },
  { name: 'the core never imports a shell', from: 'src/main/core/', to: 'src/main/server/' },
  { name: 'the core never imports a shell', from: 'src/main/core/', to: 'src/main/cli/' },
  { name: 'production code never imports a test helper', from: 'src/', to: 'test/', productionOnly: true },
]

function listFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...listFiles(path))
    } else if (EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !entry.name.endsWith('.d.ts')) {
      out.push(path)
    }
  }
  return out
}

function toRepoPath(path: string): string {
  return relative(ROOT, path).split(sep).join('/')
}

/** The module specifiers a file names, each with whether only types cross. */
function specifiersOf(file: string): Array<{ specifier: string; typeOnly: boolean }> {
  const text = readFileSync(file, 'utf8')
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
  const found: Array<{ specifier: string; typeOnly: boolean }> = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)))
      found.push({ specifier: node.moduleSpecifier.text, typeOnly })
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: node.isTypeOnly })
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      found.push({ specifier: node.moduleReference.expression.text, typeOnly: node.isTypeOnly })
    } else if (ts.isCallExpression(node) && node.arguments.length >= 1 && ts.isStringLiteralLike(node.arguments[0]!)) {
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require'
      if (isImport || isRequire) found.push({ specifier: (node.arguments[0] as ts.StringLiteralLike).text, typeOnly: false })
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, typeOnly: true })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

export function readImportGraph(roots: readonly string[] = GRAPH_ROOTS): ImportGraph {
  const files = roots.flatMap((root) => listFiles(join(ROOT, root))).sort()
  const known = new Set(files)
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowJs: true,
    resolveJsonModule: true,
    jsx: ts.JsxEmit.ReactJSX,
  }
  const edges: ImportEdge[] = []
  for (const file of files) {
    for (const { specifier, typeOnly } of specifiersOf(file)) {
      if (!specifier.startsWith('.')) continue
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule?.resolvedFileName
      // A .d.mts beside a .mjs stands for it: the arrow goes to the script.
      const target = resolved?.replace(/\.d\.mts$/, '.mjs')
      if (target && known.has(target) && target !== file) edges.push({ from: toRepoPath(file), to: toRepoPath(target), typeOnly })
    }
  }
  return { files: files.map(toRepoPath), edges }
}

/** Every strongly connected group of two or more files (Tarjan): each is at least one import cycle. */
export function findCycles(graph: ImportGraph): string[][] {
  const next = new Map<string, string[]>()
  for (const edge of graph.edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to])
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const groups: string[][] = []
  // Iterative, so a deep chain of imports cannot overflow the call stack.
  for (const start of graph.files) {
    if (index.has(start)) continue
    const work: Array<{ node: string; i: number }> = [{ node: start, i: 0 }]
    index.set(start, counter)
    low.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const targets = next.get(frame.node) ?? []
      if (frame.i < targets.length) {
        const to = targets[frame.i++]!
        if (!index.has(to)) {
          index.set(to, counter)
          low.set(to, counter++)
          stack.push(to)
          onStack.add(to)
          work.push({ node: to, i: 0 })
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!))
      if (low.get(frame.node) === index.get(frame.node)) {
        const group: string[] = []
        let member: string
        do {
          member = stack.pop()!
          onStack.delete(member)
          group.push(member)
        } while (member !== frame.node)
        if (group.length > 1) groups.push(group.sort())
      }
    }
  }
  return groups
}

/**
 * The same check one level up, for the app (src/main): its production files grouped by folder (a file
 * directly in src/main/core, where the core is assembled, counts as its own group), so two capability
 * folders that import each other through different files show up too. (The simulator's subfolders are
 * parts of one program that share its types, not capabilities: they are left out.)
 */
export function findFolderCycles(graph: ImportGraph): string[][] {
  const node = (file: string): string => (/^src\/main\/core\/[^/]+$/.test(file) ? file : file.replace(/\/[^/]*$/, ''))
  const edges = graph.edges
    .filter((e) => e.from.startsWith('src/main/') && e.to.startsWith('src/main/') && !/\.test\.tsx?$/.test(e.from))
    .map((e) => ({ from: node(e.from), to: node(e.to), typeOnly: e.typeOnly }))
    .filter((e) => e.from !== e.to)
  return findCycles({ files: [...new Set(edges.flatMap((e) => [e.from, e.to]))].sort(), edges })
}

/** The imports that cross a layer boundary the wrong way, each with the rule it breaks. */
export function findUpwardImports(graph: ImportGraph, rules: readonly LayerRule[] = LAYER_RULES): Array<ImportEdge & { rule: string }> {
  const found: Array<ImportEdge & { rule: string }> = []
  for (const edge of graph.edges) {
    for (const rule of rules) {
      if (rule.productionOnly && /\.test\.tsx?$/.test(edge.from)) continue
      if (edge.from.startsWith(rule.from) && edge.to.startsWith(rule.to) && !rule.except?.includes(edge.from)) found.push({ ...edge, rule: rule.name })
    }
  }
  return found
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = readImportGraph()
  const cycles = findCycles(graph)
  const upward = findUpwardImports(graph)
  const folders = findFolderCycles(graph)
  console.log(`${graph.files.length} files, ${graph.edges.length} imports (${graph.edges.filter((e) => e.typeOnly).length} type-only)`)
  console.log(`${cycles.length} import cycle(s)`)
  for (const group of cycles) console.log(`  ${group.join(' <-> ')}`)
  console.log(`${upward.length} upward import(s)`)
  for (const edge of upward) console.log(`  ${edge.from} -> ${edge.to}${edge.typeOnly ? ' (type)' : ''}: ${edge.rule}`)
  console.log(`${folders.length} folder cycle(s)`)
  for (const group of folders) console.log(`  ${group.join(' <-> ')}`)
}
