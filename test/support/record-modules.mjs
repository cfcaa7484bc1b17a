// Loaded into a server process with `--import` (NODE_OPTIONS): appends the URL of every module the process
// loads, ES module or require(), to the file IRISH_TEST_MODULE_LOG names, one a line, as it loads. For
// tests that assert what a start loads and what it leaves alone (test/server-dialect-loading.test.ts).
import { appendFileSync } from 'node:fs'
import { registerHooks } from 'node:module'
import process from 'node:process'

const file = process.env.IRISH_TEST_MODULE_LOG
if (!file) throw new Error('record-modules.mjs needs IRISH_TEST_MODULE_LOG: the file to append module URLs to')
registerHooks({
  load(url, context, nextLoad) {
    appendFileSync(file, `${url}\n`)
    return nextLoad(url, context)
  },
})
