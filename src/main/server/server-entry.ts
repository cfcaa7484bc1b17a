// The headless server's entry (`node out/main/server.js`, `npm run serve`, `npm start`): checks the
// running Node first, then loads the server (cli.ts). The dynamic import keeps the server's modules,
// better-sqlite3 among them, from loading at all on a Node that cannot run them: a bundler hoists
// static imports above any code.
import '../../../scripts/require-node24.mjs'
import { parseServerFlags, refuseUsage, SERVER_USAGE, UsageError, type ServerFlags } from './cli-flags'
import { keepCompileCache, useCompileCache } from './compile-cache'
import { restartWithHeapLimit } from './heap-limit'
import { answerTokenEstimates, earlyStart, isTokenEstimateThread } from './token-estimates'

useCompileCache(new URL(import.meta.url))
if (isTokenEstimateThread()) {
  // This file is also the thread that estimates the chosen tokens' strength (token-estimates.ts).
  await answerTokenEstimates()
  keepCompileCache()
} else {
  let flags: ServerFlags
  try {
    flags = parseServerFlags()
  } catch (error) {
    // Refused here, without loading the server (about 0.4 s), as --help is answered.
    if (error instanceof UsageError) refuseUsage(error)
    throw error
  }
  if (flags.help) {
    // Without loading the server.
    console.log(SERVER_USAGE)
  } else {
    // V8's default heap limit does not grow with the machine's memory (heap-limit.ts): unless node was
    // given one, the server starts itself again with a limit from the machine's memory, before anything
    // else has run.
    restartWithHeapLimit()
    // Started before the server's modules load, so that the two run side by side.
    const early = earlyStart(new URL(import.meta.url), flags)
    const { runServer } = await import('./cli')
    runServer(early)
  }
}
