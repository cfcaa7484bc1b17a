// The headless server's entry (`node out/main/server.js`, `npm run serve`, `npm start`): checks the
// running Node first, then loads the server (cli.ts). The dynamic import keeps the server's modules,
// better-sqlite3 among them, from loading at all on a Node that cannot run them: a bundler hoists
// static imports above any code.
import '../../../scripts/require-node24.mjs'
import { totalmem } from 'node:os'
import { getHeapStatistics } from 'node:v8'
import { heapLimitFlag } from './heap-limit'

// V8's default heap limit does not grow with the machine's memory (heap-limit.ts): unless node was
// given one, the server replaces itself (same process id, so signals and supervisors see no change)
// with the same command and a limit from the machine's memory, before anything else has run.
const flag = heapLimitFlag({ execArgv: process.execArgv, nodeOptions: process.env.NODE_OPTIONS, totalMemory: totalmem(), currentLimit: getHeapStatistics().heap_size_limit })
if (flag && typeof process.execve === 'function' && !process.versions.electron) {
  process.execve(process.execPath, [process.execPath, flag, ...process.execArgv, ...process.argv.slice(1)], process.env)
}

await import('./cli')
