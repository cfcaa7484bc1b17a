// The Needs attention spec's server (attention-server.ts, test-only): a handle to start it, inject the
// fault mix and stop it. It runs in its own process group so stopping it stops npx, tsx and the server.

import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { stopGroup } from './fleet'

const ROOT = resolve(import.meta.dirname, '..', '..')

export interface AttentionServer {
  url: string
  token: string
  /** Injects the fault mix; resolves once every account shows the condition it leads to. */
  inject(): Promise<void>
  stop(): Promise<void>
}

export async function startAttentionServer(): Promise<AttentionServer> {
  const token = randomBytes(24).toString('base64url')
  const child = spawn('npx', ['tsx', 'e2e/support/attention-server.ts'], {
    cwd: ROOT,
    env: { ...process.env, IRISH_API_TOKEN: token },
    stdio: ['pipe', 'pipe', 'inherit'],
    detached: true,
  })
  const lines = createInterface({ input: child.stdout! })
  const waiters: Array<{ match: RegExp; resolve: (line: string) => void; reject: (error: Error) => void }> = []
  lines.on('line', (line) => {
    const failed = /^inject failed: /.test(line)
    for (const waiter of waiters.splice(0)) {
      if (failed) waiter.reject(new Error(line))
      else if (waiter.match.test(line)) waiter.resolve(line)
      else waiters.push(waiter)
    }
  })
  const next = (match: RegExp): Promise<string> =>
    new Promise((resolveLine, reject) => {
      waiters.push({ match, resolve: resolveLine, reject })
      child.once('exit', (code) => reject(new Error(`the attention server exited (code ${code}) before printing ${match}`)))
    })
  const url = /listening on (\S+)/.exec(await next(/^listening on /))![1]!
  return {
    url,
    token,
    async inject() {
      const done = next(/^injected$/)
      child.stdin!.write('inject\n')
      await done
    },
    async stop() {
      child.stdin!.end()
      await stopGroup(child)
    },
  }
}
