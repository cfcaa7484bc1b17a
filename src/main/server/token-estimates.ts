// The chosen tokens' strength estimates (token-strength.ts: about 0.25 s of CPU and 30 MB of
// short-lived heap) on a worker thread that the entry starts before the server's modules load. On a
// first start the estimate then overlaps that loading, which keeps the main thread busy for about as
// long, instead of following it (docs/performance.md, "The idle server"). Nothing else changes: the
// server still waits for each token's verdict before it creates anything, a token that passed on an
// earlier start (token-verdicts.ts) starts no thread, and if the thread fails the token is estimated on
// the main thread as before. The flags and the verdicts the entry read for this are handed on to the
// server, which reads neither again. Node only.
//
// The thread runs the entry's own file (server-entry.ts), which answers here when it finds itself on
// this thread: one file serves both the bundle (out/main/server.js) and tsx, with no worker entry to build.

import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { dataDirOf, metricsTokenOf, type ServerFlags } from './cli-flags'
import { dataDirTokenVerdicts, TOKEN_PATTERN, type TokenEstimates } from './token'
import type { TokenVerdicts } from './token-verdicts'

const NO_ESTIMATES: TokenEstimates = () => undefined

/** Where the thread finds the tokens it estimates (its workerData); also how the entry knows it is that thread. */
const TOKENS = 'irishTokenEstimates'

/** What the entry read and started before the server's modules load, handed to the server (cli.ts). */
export interface EarlyStart {
  flags: ServerFlags
  /** The data dir's token verdicts, read once for both tokens. */
  verdicts: TokenVerdicts
  estimates: TokenEstimates
}

/** Reads the data dir's verdicts and starts, on one thread running `entry`, the estimates this start needs. */
export function earlyStart(entry: URL, flags: ServerFlags, env: NodeJS.ProcessEnv = process.env): EarlyStart {
  const verdicts = dataDirTokenVerdicts(dataDirOf(flags))
  return { flags, verdicts, estimates: startTokenEstimates(entry, tokensToEstimate(flags, env, verdicts)) }
}

/** The chosen tokens (IRISH_API_TOKEN, the metrics token) that are well formed and did not pass on an earlier start. */
export function tokensToEstimate(flags: ServerFlags, env: NodeJS.ProcessEnv, verdicts: TokenVerdicts): string[] {
  const chosen = [env.IRISH_API_TOKEN, metricsTokenOf(flags, env)?.token]
  const tokens = chosen.filter((token): token is string => token !== undefined && TOKEN_PATTERN.test(token) && !verdicts.passed(token))
  return [...new Set(tokens)]
}

/** The estimates of `tokens`, computed on one thread running `entry`. */
export function startTokenEstimates(entry: URL, tokens: string[]): TokenEstimates {
  if (tokens.length === 0) return NO_ESTIMATES
  let worker: Worker
  try {
    worker = new Worker(entry, { workerData: { [TOKENS]: tokens } })
  } catch {
    return NO_ESTIMATES
  }
  // Kept referenced: the start may have nothing else pending while it waits for the answer (an unreferenced
  // thread would let the process end there). The thread ends once it has answered, and a start that fails
  // first ends the process itself (cli.ts), so it never holds a process up.
  const bits = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (message: unknown) => {
      if (Array.isArray(message) && message.length === tokens.length && message.every((n) => typeof n === 'number')) resolve(message)
      else reject(new Error('the token estimate thread answered something else'))
    })
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`the token estimate thread ended with code ${code} before answering`)))
  })
  // A failure is handled where an estimate is asked for (token.ts estimates on its own thread instead).
  bits.catch(() => {})
  return (token) => {
    const index = tokens.indexOf(token)
    return index < 0 ? undefined : bits.then((all) => all[index]!)
  }
}

/** True on the thread startTokenEstimates starts. */
export function isTokenEstimateThread(): boolean {
  return !isMainThread && typeof workerData === 'object' && workerData !== null && TOKENS in workerData
}

/** On that thread: estimates its tokens and answers with their bits, in order. */
export async function answerTokenEstimates(): Promise<void> {
  const { estimatedTokenBits } = await import('./token-strength')
  const tokens = (workerData as Record<typeof TOKENS, string[]>)[TOKENS]
  parentPort!.postMessage(tokens.map((token) => estimatedTokenBits(token)))
}
