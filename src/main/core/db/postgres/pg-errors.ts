// Turning node-postgres failures into words a person can act on, without a password or a value.
// Main process, Electron-free.

import type pg from 'pg'
import { AppError } from '../../../../shared/errors'

/** The URL with its password replaced: the only form of it that messages and logs may carry. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    parsed.search = ''
    return parsed.toString()
  } catch {
    return 'the given URL (not a valid URL)'
  }
}

/** A short description: the SQLSTATE or system error code and PostgreSQL's message (never a parameter). */
export function describePgError(err: unknown): string {
  if (typeof err !== 'object' || err === null) return String(err)
  const { code, message } = err as { code?: unknown; message?: unknown }
  const text = typeof message === 'string' && message.length > 0 ? message : 'unknown error'
  return typeof code === 'string' ? `${code}: ${text}` : text
}

/** Connection-level failures: the database went away or cannot be reached. */
export function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code
  if (typeof code !== 'string') {
    return err instanceof Error && /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(err.message)
  }
  // 57P01-57P03: shut down by an administrator (a restart), crashed, or still starting up.
  return ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(code) || code.startsWith('08') || ['57P01', '57P02', '57P03'].includes(code)
}

/**
 * Failures that say nothing about the request, only that the database cannot serve it now: the
 * connection (above), and a statement cut off by the session limits the fleet sets (statement or lock
 * timeout, a session idle in a transaction too long: open-postgres.ts), a serialization failure or a
 * deadlock. Worth a retry, and answered 503 with Retry-After.
 */
export function isTransientDbError(err: unknown): boolean {
  if (isConnectionError(err)) return true
  const code = (err as { code?: unknown }).code
  return code === '57014' || code === '55P03' || code === '25P03' || code === '40001' || code === '40P01'
}

/** Wraps a failed statement: unavailable when the database is gone, internal (rolled back) otherwise. */
export function storeError(err: unknown, what: string, account: string): AppError {
  if (err instanceof AppError) return err
  if (isTransientDbError(err)) {
    return new AppError('unavailable', `The database cannot be reached; ${what} for account ${account} was not applied. Retry.`, { cause: err })
  }
  return new AppError('internal', `${what} for account ${account} failed and was rolled back; nothing was written (${describePgError(err)}).`, {
    cause: err,
  })
}

/**
 * Checks a client out of the pool for a transaction. pg-pool takes its error listener off a client while
 * it is checked out, so a connection that dies then (PostgreSQL ended the session: idle in transaction
 * after a pause, a restart) would emit an unhandled 'error' and end the process. This one is listened
 * to (`onError`, by default nothing): the client's next query fails, as any broken connection's does.
 */
export async function checkout(pool: pg.Pool, onError: (err: unknown) => void = () => undefined): Promise<pg.PoolClient> {
  const client = await pool.connect()
  const listener = (err: unknown): void => onError(err)
  client.on('error', listener)
  const release = client.release.bind(client)
  client.release = (err?: Error | boolean) => {
    client.off('error', listener)
    release(err)
  }
  return client
}
