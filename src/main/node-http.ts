// What the main bundle gets for `import ... from 'node:http'` (electron.vite.config.ts points the import
// here). Node builds an ES module's view of a built-in by reading every export once, and node:http's
// WebSocket, MessageEvent and CloseEvent exports are getters that load Node's copy of undici: about 30 ms
// of every start, for classes nothing here uses. Through require, node:http loads without them
// (docs/performance.md, "The idle server"). Source files keep importing node:http: type checks, tests and
// tsx see the real module; only the build goes through this file.

import type * as Http from 'node:http'
import { createRequire } from 'node:module'

const http = createRequire(import.meta.url)('node:http') as typeof Http

export const { Agent, createServer, request, STATUS_CODES } = http
