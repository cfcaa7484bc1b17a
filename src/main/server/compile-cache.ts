// The built server's compile cache (docs/runtime.md, "The compile cache"): the code V8 compiled for the
// server's modules, kept beside the bundle so that a start after the first one skips most of compiling
// them. Beside the bundle, in out/main/.compile-cache, and not in Node's default place under the shared
// /tmp: V8 does not authenticate its code cache, so the cache must be no easier to write than the code it
// stands for. A new build empties out/main, and with it the cache. Only for the build (a .js entry):
// under tsx the entry is a source file, and the cache would land among the sources.

// The default export, not named imports: on a Node without these (before 22.8), named imports would fail
// when the entry links, before its Node 24 check could say what is wrong.
import nodeModule from 'node:module'
import { fileURLToPath } from 'node:url'

/** Turns the cache on for the modules this thread loads from now on. Call it before the server's modules load. */
export function useCompileCache(entry: URL): void {
  if (!entry.pathname.endsWith('.js')) return
  // Node turns it off itself under NODE_DISABLE_COMPILE_CACHE, and says nothing when the folder cannot be written.
  nodeModule.enableCompileCache(fileURLToPath(new URL('.compile-cache/', entry)))
}

/** Writes what this thread compiled so far, so that a server stopped by a signal still leaves it. */
export function keepCompileCache(): void {
  nodeModule.flushCompileCache()
}
