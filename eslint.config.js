// Lint rules that hold the architecture, one import boundary each (test/import-graph.test.ts checks the
// same layering over the whole graph, and that it has no cycle):
// - the core, the shared contract, the simulator and the protocol pieces never import Electron;
// - the core imports no shell (Electron, the server, the CLI);
// - the simulator never imports the app (src/main); the app imports the simulator only where an embedded
//   simulator is wired in (src/main/embedded-simulator.ts, src/main/server/cli.ts, src/main/electron/index.ts);
// - src/whatsapp-protocol sits below both: it imports neither;
// - src/shared imports no Node built-in and no app code; the renderer no Node and no main;
// - production code imports no test helper (test/); a test may;
// - the project's own HTTP API is called through one client (src/shared/api-client.ts): production code
//   calls no fetch besides it, and scripts, benchmarks and e2e specs send nothing to /api/ by hand (tests
//   under test/ may: they check the wire itself, statuses and headers).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const ELECTRON = { name: 'electron', message: 'The core and the contract never import Electron: pass what you need in through createCore(deps).' }

const BOUNDARIES = {
  electronShell: { group: ['**/electron/**', '../electron/*'], message: 'Only the Electron shell imports the Electron shell.' },
  shells: { group: ['**/server/**', '**/cli/**'], message: 'The core never imports a shell (server, CLI): the shells call the core.' },
  simulator: {
    group: ['**/simulator', '**/simulator/**'],
    message: 'The app imports the simulator only where an embedded simulator is wired in (embedded-simulator.ts, server/cli.ts, electron/index.ts); shared code goes in src/whatsapp-protocol.',
  },
  app: { group: ['**/main/**', '**/main'], message: 'This code never imports the app (src/main): put what both need in src/whatsapp-protocol or src/shared.' },
  testHelpers: { group: ['**/test/**'], message: 'Production code never imports a test helper (test/): only tests do.' },
  node: { group: ['node:*'], message: 'src/shared runs in every process, the renderer included: no Node built-ins.' },
  sharedDeps: {
    group: ['../main/**', '../renderer/**', '../preload/**', '../simulator/**', '../whatsapp-protocol/**'],
    message: 'src/shared depends on nothing but zod.',
  },
  rendererNode: { group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process'], message: 'The renderer has no Node: ask the core through the contract.' },
  rendererMain: { group: ['**/main/**', '**/preload/**'], message: 'The renderer talks to the core only through the contract.' },
  preloadMain: { group: ['**/main/**'], message: 'The preload exposes contract names only; it never reaches into main.' },
}

const OWN_API = 'The project\'s own API is called through createApiClient (src/shared/api-client.ts), which knows its envelope and errors.'
/** Production code under src/: no fetch at all outside the client (nothing else there speaks HTTP with fetch). */
const NO_FETCH = {
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.name='fetch']", message: OWN_API },
    { selector: "CallExpression[callee.property.name='fetch']", message: OWN_API },
  ],
}
/** Scripts, benchmarks, e2e specs: fetch is fine for the simulator's admin API, never for /api/. */
const NO_FETCH_OF_API = {
  'no-restricted-syntax': [
    'error',
    { selector: "CallExpression[callee.name='fetch'] TemplateElement[value.raw=/\\/api\\//]", message: OWN_API },
    { selector: "CallExpression[callee.name='fetch'] Literal[value=/\\/api\\//]", message: OWN_API },
  ],
}

/** The rule for a set of boundaries; `electron` adds the ban on the electron package itself. */
function restrict(names, { electron = true } = {}) {
  return { 'no-restricted-imports': ['error', { paths: electron ? [ELECTRON] : [], patterns: names.map((name) => BOUNDARIES[name]) }] }
}

const TESTS = ['**/*.test.ts', '**/*.test.tsx']
/** One block for production files and one for their tests, which may import test helpers. */
function layer(files, names, options) {
  return [
    { files, ignores: TESTS, rules: restrict([...names, 'testHelpers'], options) },
    { files: files.flatMap((glob) => TESTS.map((test) => glob.replace(/\*\*\/\*\.[^/]+$/, test))), rules: restrict(names, options) },
  ]
}

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.tools/**', '.tmp/**', 'drizzle/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': 'off',
    },
  },
  {
    // Plain Node scripts (build checks run before the server starts).
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', console: 'readonly' } },
  },
  ...layer(['src/main/core/**/*.ts'], ['electronShell', 'shells', 'simulator']),
  ...layer(['src/main/server/**/*.ts', 'src/main/cli/**/*.ts'], ['electronShell', 'simulator']),
  ...layer(['src/main/electron/**/*.ts'], ['simulator'], { electron: false }),
  // The edge files that wire an embedded simulator in.
  { files: ['src/main/embedded-simulator.ts'], rules: restrict(['electronShell', 'shells', 'testHelpers']) },
  { files: ['src/main/server/cli.ts'], rules: restrict(['electronShell', 'testHelpers']) },
  { files: ['src/main/electron/index.ts'], rules: restrict(['testHelpers'], { electron: false }) },
  ...layer(['src/simulator/**/*.ts'], ['electronShell', 'app']),
  ...layer(['src/whatsapp-protocol/**/*.ts'], ['electronShell', 'app', 'simulator']),
  ...layer(['src/shared/**/*.ts'], ['electronShell', 'node', 'sharedDeps']),
  ...layer(['src/renderer/**/*.ts', 'src/renderer/**/*.tsx'], ['rendererNode', 'rendererMain']),
  { files: ['src/preload/**/*.ts'], rules: restrict(['preloadMain', 'testHelpers'], { electron: false }) },
  // The browser helper runs in a browser: no Node, no app, no simulator (it may use src/shared and the
  // renderer's WebAuthn call).
  ...layer(['extensions/**/*.ts'], ['rendererNode', 'rendererMain', 'simulator', 'app']),
  { files: ['src/**/*.ts', 'src/**/*.tsx'], ignores: [...TESTS, 'src/shared/api-client.ts'], rules: NO_FETCH },
  { files: ['scripts/**/*.ts', 'bench/**/*.ts', 'e2e/**/*.ts'], rules: NO_FETCH_OF_API },
)
