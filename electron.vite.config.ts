import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

const HTTP_SHIM = resolve(__dirname, 'src/main/node-http.ts')

/** The main bundle's `import ... from 'node:http'` goes through require: src/main/node-http.ts says why. */
function httpThroughRequire(): Plugin {
  return {
    name: 'node-http-through-require',
    enforce: 'pre',
    // electron-vite lists every built-in as external, which would keep the import as it is.
    options(options) {
      const external = options.external
      if (Array.isArray(external)) options.external = external.filter((id) => id !== 'node:http' && id !== 'http')
      return options
    },
    resolveId(source, importer) {
      return (source === 'node:http' || source === 'http') && importer !== HTTP_SHIM ? HTTP_SHIM : null
    },
  }
}

// Three bundles: main (Node, ESM), preload (sandboxed, so CommonJS and self-contained) and the renderer.
// The renderer build is also what the headless server serves to browsers. The main bundle has a second
// entry, the headless server, so `npm run serve` runs one plain `node` process from out/main/server.js
// (no tsx at run time); both entries share the core's chunks and never pull Electron into the server.
export default defineConfig({
  main: {
    plugins: [httpThroughRequire()],
    build: {
      // Map files only: nothing enables them at run time (that would cost on every stack trace); use
      // NODE_OPTIONS=--enable-source-maps when a stack needs reading.
      sourcemap: true,
      // drizzle-orm is bundled, not loaded from node_modules: its package.json (179 KB of "exports") is
      // parsed again by Node's ES module loader for every one of its 146 files the server loads, which
      // cost 0.5 s and 125 MB of resident memory at start (docs/performance.md, "The idle server").
      externalizeDeps: { exclude: ['drizzle-orm'] },
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/electron/index.ts'),
          server: resolve(__dirname, 'src/main/server/server-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() node_modules: bundle everything it uses.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      // Minified, one chunk per view (App.tsx loads each view when first shown); e2e/support/build-renderer.ts
      // builds the same way for the browser specs.
      minify: true,
      rollupOptions: {
        // ceremony.html: the desktop app's passkey ceremony page (src/main/electron/passkey-ceremony.ts).
        input: { index: resolve(__dirname, 'src/renderer/index.html'), ceremony: resolve(__dirname, 'src/renderer/ceremony.html') },
      },
    },
    plugins: [react()],
  },
})
