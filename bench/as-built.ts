// Imported first by every benchmark process: makes the process run as the built server does. tsx turns
// Node's source-map support on for readable stacks, and then every `new Error()` pays for mapping its
// stack (Baileys makes one per query for its timeouts): 11% of the message phase's CPU at 200 accounts.
// `npm run serve` runs the bundle without source maps, so the benchmarks do too.
import '../scripts/require-node24.mjs'

process.setSourceMapsEnabled(false)
