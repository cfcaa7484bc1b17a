// Builds only the renderer into out/renderer, the folder the headless server serves, with the same
// settings electron-vite applies to it (root src/renderer, relative base, React plugin). The e2e run
// uses this rather than `electron-vite build` so a half-finished main-process change elsewhere in the
// tree cannot stop the browser specs; `npm run build` remains the full build of all three bundles.

import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { build } from 'vite'

export const ROOT = resolve(import.meta.dirname, '..', '..')
export const RENDERER_OUT = resolve(ROOT, 'out', 'renderer')

export async function buildRenderer(): Promise<void> {
  await build({
    configFile: false,
    root: resolve(ROOT, 'src', 'renderer'),
    base: './',
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir: RENDERER_OUT,
      emptyOutDir: true,
      // Electron 45 ships Chromium 140; Debian's Chromium is newer.
      target: 'chrome140',
      modulePreload: { polyfill: false },
      minify: true,
      reportCompressedSize: false,
      // ceremony.html: the desktop app's passkey ceremony page, which the passkey spec also runs in Chromium.
      rollupOptions: { input: { index: resolve(ROOT, 'src', 'renderer', 'index.html'), ceremony: resolve(ROOT, 'src', 'renderer', 'ceremony.html') } },
    },
  })
}

// `npx tsx e2e/support/build-renderer.ts` builds it by hand.
if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  buildRenderer().catch((error: unknown) => {
    console.error(error)
    process.exit(1)
  })
}
