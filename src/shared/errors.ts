// Shared by every process (main, preload, renderer, server): no electron, no node:*, no DOM.
// The closed set of error codes that may cross a process boundary, and the error type the core throws.

export const ERROR_CODES = [
  'invalid-input',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'key-unavailable',
  'storage-corrupt',
  'logged-out',
  'payload-too-large',
  /** A session bundle that is damaged or cut off: the request was fine, the file is not (HTTP 422). */
  'bad-bundle',
  /**
   * WhatsApp or an operator's limit refuses this now; the message says until when (HTTP 429, with
   * Retry-After where the end is known). Never queued: a held send would only fail later.
   */
  'rate-limited',
  'unavailable',
  'internal',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * The one status table: the HTTP status each code answers with (the server, the API document,
 * docs/api.md, the desktop app's local passkey ceremony pages).
 */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  'invalid-input': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'bad-bundle': 422,
  'rate-limited': 429,
  'key-unavailable': 503,
  'storage-corrupt': 500,
  'logged-out': 409,
  unavailable: 503,
  internal: 500,
}

/** What crosses a boundary: a code and a message a person can act on. Never a stack, a path or key material. */
export interface ErrorInfo {
  code: ErrorCode
  message: string
  /** `rate-limited` only, when the end is known: when asking again can succeed (epoch ms; HTTP Retry-After). */
  retryAt?: number
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly retryAt: number | undefined

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAt?: number }) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
    this.retryAt = options?.retryAt
  }

  toInfo(): ErrorInfo {
    return this.retryAt === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, retryAt: this.retryAt }
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError
}

export function assertNever(value: never, what = 'value'): never {
  throw new AppError('internal', `Unhandled ${what}: ${String(value)}`)
}
