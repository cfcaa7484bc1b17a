// Lint rules that hold the architecture: the core and the shared contract never import Electron,
// the renderer never imports Node built-ins, and nothing outside the shell reaches into it.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const noElectron = {
  paths: [{ name: 'electron', message: 'The core and the contract never import Electron: pass what you need in through createCore(deps).' }],
  patterns: [
    { group: ['**/electron/**', '../electron/*'], message: 'Only the Electron shell imports the Electron shell.' },
  ],
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
  {
    files: ['src/main/core/**/*.ts', 'src/main/server/**/*.ts', 'src/simulator/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectron.paths,
          patterns: [
            ...noElectron.patterns,
            { group: ['node:*'], message: 'src/shared runs in every process, the renderer included: no Node built-ins.' },
            { group: ['../main/**', '../renderer/**', '../preload/**'], message: 'src/shared depends on nothing but zod.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: noElectron.paths,
          patterns: [
            { group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process'], message: 'The renderer has no Node: ask the core through the contract.' },
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer talks to the core only through the contract.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/preload/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/main/**'], message: 'The preload exposes contract names only; it never reaches into main.' }] },
      ],
    },
  },
)
