// What a command failure is in the renderer: the shared AppError (src/shared/errors.ts), whichever
// transport brought it, so a view branches on its code (401 → sign-in, conflict → explain) and shows the
// message as is. The HTTP transport gets it from the one API client, the IPC transport from the envelope.

import { AppError, ERROR_CODES, isAppError, type ErrorInfo } from '../../../shared/errors'

export { AppError, isAppError }

export function isErrorInfo(value: unknown): value is ErrorInfo {
  if (typeof value !== 'object' || value === null) return false
  const { code, message } = value as { code?: unknown; message?: unknown }
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code)
}

/** What a person reads when something failed: the server's message, or a generic one for the unexpected. */
export function errorMessage(error: unknown): string {
  if (isAppError(error)) return error.message
  return 'Something unexpected went wrong in the page. Reload it; if that keeps happening, check the app log.'
}

/** Codes where asking again cannot help: the query layer does not retry them. */
export function isPermanent(error: unknown): boolean {
  return isAppError(error) && ['invalid-input', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'logged-out'].includes(error.code)
}
