// The headless server's entry (`node out/main/server.js`, `npm run serve`, `npm start`): checks the
// running Node first, then loads the server (cli.ts). The dynamic import keeps the server's modules,
// better-sqlite3 among them, from loading at all on a Node that cannot run them: a bundler hoists
// static imports above any code.
import '../../../scripts/require-node24.mjs'
import { restartWithHeapLimit } from './heap-limit'

// V8's default heap limit does not grow with the machine's memory (heap-limit.ts): unless node was
// given one, the server starts itself again with a limit from the machine's memory, before anything
// else has run.
restartWithHeapLimit()

await import('./cli')
