import { defineConfig } from 'vitest/config'

// Unit and integration tests run under Node. Browser specs live in e2e/ and run through Playwright.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'extensions/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 15_000,
    hookTimeout: 30_000,
    // Each test file gets its own temp dirs and servers; nothing is shared between files.
    fileParallelism: true,
  },
})
