// What the CLI talks to: a running server over its HTTP API (--api, token from IRISH_API_TOKEN, through the
// one API client, src/shared/api-client.ts), or a data dir opened in this process (the same core the server
// builds). Both resolve with the command's output or reject with an AppError, so every command is written once.

import { resolve } from 'node:path'
import pino from 'pino'
import { createApiClient } from '../../shared/api-client'
import type { CommandInput, CommandName, CommandOutput } from '../../shared/contract'
import { AppError } from '../../shared/errors'
import { localCaller } from '../core/access/caller'
import { createCore, type Core } from '../core/create-core'
import { keyFromKeychain, resolveKeyVault, resolvePreviousKeyVault } from '../core/crypto/key-vault'
import { defaultDataDir } from '../core/data-dir'
import type { Logger } from '../core/logger'
import { parseRemoteServer } from '../core/transfer/remote-server'
import { whatsappOverrideFromEnv } from '../core/whatsapp/endpoint'

export const API_TOKEN_ENV = 'IRISH_API_TOKEN'

export interface Target {
  /** 'api' talks to a server; 'local' opened the data dir here. */
  kind: 'api' | 'local'
  describe: string
  /** The command's output, or an AppError: the server's refusal, or 'unavailable' naming the server. */
  call<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandOutput<C>>
  close(): Promise<void>
}

export interface TargetOptions {
  api?: string
  dataDir?: string
  keyFile?: string
  previousKeyFile?: string
  env: Readonly<Record<string, string | undefined>>
}

// The server's default too, so `irish` finds the same accounts without flags.
export { defaultDataDir }

export async function openTarget(options: TargetOptions): Promise<Target> {
  if (options.api !== undefined) return apiTarget(options.api, options.env)
  return localTarget(resolve(options.dataDir ?? defaultDataDir(options.env)), options)
}

function apiTarget(api: string, env: TargetOptions['env']): Target {
  const token = env[API_TOKEN_ENV]
  if (!token) throw new AppError('invalid-input', `Set ${API_TOKEN_ENV} to the server's API token to use --api.`)
  // The same rule as export to a server: the token never crosses a network in clear text.
  const server = parseRemoteServer(api)
  const client = createApiClient({ baseUrl: server.target, token, client: 'cli' })
  return {
    kind: 'api',
    describe: server.target,
    call: (command, input) => client.call(command, input),
    async close() {},
  }
}

async function localTarget(dataDir: string, options: TargetOptions): Promise<Target> {
  let core: Core
  try {
    core = await createCore({
      dataDir,
      keyVault: resolveKeyVault({ env: options.env, ...(options.keyFile ? { keyFile: options.keyFile } : {}), preferKeychain: true }),
      previousKeyVault: resolvePreviousKeyVault({ env: options.env, ...(options.previousKeyFile ? { keyFile: options.previousKeyFile } : {}), keychain: keyFromKeychain(options.env, options.keyFile) ? {} : null }),
      logger: stderrLogger(),
      appVersion: options.env.npm_package_version ?? '0.0.0',
      ...withOverride(options.env),
    })
  } catch (error) {
    if (error instanceof AppError && error.code === 'conflict') {
      throw new AppError(
        'conflict',
        `${error.message} A server is probably running on ${dataDir}: talk to it instead with --api <its url> and ${API_TOKEN_ENV} set.`,
      )
    }
    throw error
  }
  return {
    kind: 'local',
    describe: dataDir,
    async call(command, input) {
      const result = await core.dispatch(command, input, localCaller('cli'))
      if (!result.ok) throw new AppError(result.error.code, result.error.message)
      return result.value as CommandOutput<typeof command>
    },
    close: () => core.close(),
  }
}

function withOverride(env: TargetOptions['env']): { whatsappOverride?: { url: string; trustedRootKey: string } } {
  const override = whatsappOverrideFromEnv(env)
  return override ? { whatsappOverride: override } : {}
}

/** The core's logs go to stderr: stdout carries the command's output. Warnings and worse only. */
function stderrLogger(): Logger {
  return pino(
    { level: 'warn', redact: { paths: ['token', '*.token', 'passphrase', '*.passphrase', 'authorization', '*.authorization'], censor: '[redacted]' } },
    pino.destination(2),
  )
}
