// Checks the headless server makes before it creates or changes anything: the data dir, the ports and
// address it will listen on (its own, then the embedded simulator's), and the database. Each failure is
// one line saying what and how to fix it, with an exit code from sysexits.h, never a stack trace.

import { createServer } from 'node:net'
import { isAppError } from '../../shared/errors'
import { dataDirProblem } from '../core/data-dir'
import { describePgError, redactUrl } from '../core/db/postgres/pg-errors'
import { EXIT } from './cli-flags'

/** A start that cannot go on: `message` is the one line for the operator. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}

export function checkDataDir(dir: string, flag = '--data-dir'): void {
  const problem = dataDirProblem(dir)
  if (problem?.kind === 'not-a-directory') {
    throw new StartupError(`${flag}: ${problem.message}; give a folder (it is created when missing).`, EXIT.usage)
  }
  if (problem?.kind === 'not-writable') {
    throw new StartupError(`${flag}: ${problem.message}; give a folder this user may write, or fix its owner or mode.`, EXIT.noPermission)
  }
}

/**
 * Binds `host:port` for a moment and lets go, so a busy port or a foreign address is reported before
 * anything starts. `flag` names the option that chooses the port, for the message.
 */
export async function checkCanListen(host: string, port: number, flag: string, note?: string): Promise<void> {
  const probe = createServer()
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject)
      probe.listen({ host, port, exclusive: true }, () => resolve())
    })
  } catch (error) {
    const refusal = listenError(error, host, port, flag)
    if (!refusal) throw error
    throw note ? new StartupError(`${refusal.message} ${note}`, refusal.exitCode) : refusal
  }
  await new Promise((resolve) => probe.close(resolve))
}

/** The operator's line for a failed listen, or null for an error that is not about the address. */
export function listenError(error: unknown, host: string, port: number, flag: string): StartupError | null {
  switch ((error as { code?: unknown }).code) {
    case 'EADDRINUSE':
      return new StartupError(
        `port ${port} on ${host} is already in use (another server, or an earlier start still running): stop that, or choose another port with ${flag} <n> (0 picks a free one).`,
        EXIT.unavailable,
      )
    case 'EACCES':
      return new StartupError(`port ${port} needs privileges this user does not have: choose one from 1024 up with ${flag} <n>.`, EXIT.unavailable)
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
    case 'EINVAL':
      return new StartupError(
        `cannot listen on ${host}: it is not an address of this machine; use --host 127.0.0.1 (this machine only), 0.0.0.0 (all its addresses) or one of its own.`,
        EXIT.unavailable,
      )
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on ${host}: the name does not resolve to an address of this machine; give --host an address such as 127.0.0.1.`, EXIT.unavailable)
    default:
      return null
  }
}

/** Connects once and lets go, so an unreachable database is reported before the data dir is touched. */
export async function checkDatabase(url: string, timeoutMs = 10_000): Promise<void> {
  // Loaded here, for a server given a database URL only: a server on SQLite never loads `pg`
  // (docs/performance.md, "The idle server").
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, application_name: 'irish-desktop' })
  // A connection dropped while checking must not end the process with an 'error' event.
  client.on('error', () => undefined)
  try {
    await client.connect()
  } catch (error) {
    if (isAppError(error)) throw error
    const code = (error as { code?: unknown }).code
    const where = redactUrl(url)
    if (code === '28P01' || code === '28000') throw new StartupError(`the database at ${where} refused the user name or password in the URL: fix --database.`, EXIT.usage)
    if (code === '3D000') throw new StartupError(`the database named in ${where} does not exist: create it first (createdb), or fix --database.`, EXIT.usage)
    throw new StartupError(
      `the database at ${where} cannot be reached (${describePgError(error)}): start PostgreSQL, or fix the host and port in --database.`,
      EXIT.unavailable,
    )
  } finally {
    await client.end().catch(() => undefined)
  }
}
