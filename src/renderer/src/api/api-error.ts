// The error every command failure becomes in the renderer: the envelope's { code, message }, typed,
// so a view can branch on the code (401 → sign-in, conflict → explain) and show the message as is.

import { ERROR_CODES, type ErrorCode, type ErrorInfo } from '../../../shared/errors'

export class ApiError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'ApiError'
    this.code = code
  }

  static from(info: ErrorInfo): ApiError {
    return new ApiError(info.code, info.message)
  }
}

export function isApiError(value: unknown): value is ApiError {
  return value instanceof ApiError
}

export function isErrorInfo(value: unknown): value is ErrorInfo {
  if (typeof value !== 'object' || value === null) return false
  const { code, message } = value as { code?: unknown; message?: unknown }
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code)
}

/** What a person reads when something failed: the server's message, or a generic one for the unexpected. */
export function errorMessage(error: unknown): string {
  if (isApiError(error)) return error.message
  return 'Something unexpected went wrong in the page. Reload it; if that keeps happening, check the app log.'
}

/** Codes where asking again cannot help: the query layer does not retry them. */
export function isPermanent(error: unknown): boolean {
  return isApiError(error) && ['invalid-input', 'unauthorized', 'forbidden', 'not-found', 'conflict', 'logged-out'].includes(error.code)
}
