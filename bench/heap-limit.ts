// Gives a benchmark process the heap limit the headless server gives itself (src/main/server/heap-limit.ts,
// docs/runtime.md "The heap limit"): V8's default of about 4 GiB would end a 10,000-account run in an
// out-of-memory crash on a machine that has the memory. Imported right after as-built.ts, before the
// modules that do the work run: the process replaces itself (same pid, so the tsx parent and the cleanup
// guard see no change) with the same command and the flag, unless node was given a heap flag already.

import { heapLimitLine, restartWithHeapLimit } from '../src/main/server/heap-limit'

restartWithHeapLimit()

/** The limit this process runs with and where it came from, as the server says it at start. */
export const benchHeapLimit = heapLimitLine()
