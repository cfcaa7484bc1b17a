// Runs one command here: parses the input with the contract's schema, runs the handler, and answers the
// result envelope. Errors cross as { code, message } only; an unexpected error is logged here with its
// stack and leaves as `internal`, so no path, stack or secret reaches the UI. Every transport (Electron
// IPC, HTTP, the CLI) reaches it through the door in guard.ts, which checks the caller's role and
// accounts first and keeps the audit trail.

import { AppError, isAppError, type ErrorInfo } from '../../../shared/errors'
import {
  commands,
  describeZodError,
  isCommandName,
  type CommandName,
  type CommandOutput,
  type ParsedInput,
  type Result,
  type ActivityActor,
} from '../../../shared/contract'
import { localCaller, type Caller } from '../access/caller'
import type { Logger } from '../logger'
import { describePgError, isTransientDbError } from '../db/postgres/pg-errors'

/** Each handler gets the parsed input, and the caller for the few that answer about it (tokens:whoami). */
export type Handlers = { [C in CommandName]: (input: ParsedInput<C>, caller: Caller) => Promise<CommandOutput<C>> }

/** What one call learned on its way: the accounts whose part another server of a fleet answered (and recorded). */
export interface CallRecord {
  elsewhere: Set<string>
}

/**
 * `caller` says who asked: its identity (token name, role, accounts) and the channel (the activity log
 * records that); without one, the process itself asks, as admin. `call` collects what the fleet's
 * forwarding learned (guard.ts reads it).
 */
export type Dispatch = (command: string, rawInput: unknown, caller?: Caller, call?: CallRecord) => Promise<Result<unknown>>

/** Sees every parsed command and how it ended (the activity log). Must not throw. */
export type DispatchObserver = (outcome: { command: CommandName; input: unknown; caller: ActivityActor; result: Result<unknown> }) => void

export function createDispatch(handlers: Handlers, logger: Logger, observer?: DispatchObserver): Dispatch {
  return async function dispatch(command, rawInput, caller = localCaller('api')) {
    if (!isCommandName(command)) {
      return failure({ code: 'not-found', message: `There is no command named "${truncate(command)}".` })
    }
    const result = await runParsed(command, rawInput, caller)
    if (observer && result.parsed) observer({ command, input: result.parsed.value, caller: caller.via, result: result.result })
    return result.result
  }

  async function runParsed(command: CommandName, rawInput: unknown, caller: Caller): Promise<{ parsed: { value: unknown } | null; result: Result<unknown> }> {
    const schema = commands[command]
    const parsed = schema.input.safeParse(rawInput ?? {})
    if (!parsed.success) {
      return { parsed: null, result: failure({ code: 'invalid-input', message: describeZodError(parsed.error, command) }) }
    }
    const done = (result: Result<unknown>) => ({ parsed: { value: parsed.data }, result })
    try {
      const handler = handlers[command] as (input: unknown, caller: Caller) => Promise<unknown>
      const value = await handler(parsed.data, caller)
      // The output is checked too: a handler that drifts from the contract fails loudly here,
      // not as a confusing crash in the UI.
      const checked = schema.output.safeParse(value)
      if (!checked.success) {
        logger.error({ command, issues: checked.error.issues.slice(0, 5) }, 'command output does not match the contract')
        return done(failure({ code: 'internal', message: 'Something went wrong inside the app. The details are in its log.' }))
      }
      return done({ ok: true, value: checked.data })
    } catch (error) {
      return done(failure(toErrorInfo(error, logger, command)))
    }
  }
}

export function toErrorInfo(error: unknown, logger: Logger, context: string): ErrorInfo {
  if (isAppError(error)) {
    if (error.code === 'internal') logger.error({ err: error, context }, 'internal error')
    return error.toInfo()
  }
  // The fleet's database is down or restarting: a retry will do (503 with Retry-After), not a bug.
  if (isTransientDbError(error)) {
    logger.warn({ err: describePgError(error), context }, 'the database could not serve a command')
    return new AppError('unavailable', 'The database cannot be reached right now; retry in a few seconds.').toInfo()
  }
  logger.error({ err: error, context }, 'unexpected error')
  return new AppError('internal', 'Something went wrong inside the app. The details are in its log.').toInfo()
}

function failure(error: ErrorInfo): Result<never> {
  return { ok: false, error }
}

function truncate(value: string): string {
  return value.length > 60 ? `${value.slice(0, 60)}…` : value
}
