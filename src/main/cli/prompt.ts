// Where the CLI gets a passphrase: IRISH_PASSPHRASE, a file, or a prompt on a terminal without echo.
// Never a command-line flag, which would land in the shell history and in `ps` output.

import { readFile } from 'node:fs/promises'

export class UsageError extends Error {}

export interface PassphraseOptions {
  env: Readonly<Record<string, string | undefined>>
  file?: string
  /** Ask twice on a terminal (a typo in an export passphrase would lock the bundle forever). */
  confirm: boolean
  /** When false, no source means null (export-to-server makes a one-time passphrase). */
  required: boolean
}

export const PASSPHRASE_ENV = 'IRISH_PASSPHRASE'

export async function readPassphrase(options: PassphraseOptions): Promise<string | null> {
  const fromEnv = options.env[PASSPHRASE_ENV]
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv
  if (options.file !== undefined) {
    let text: string
    try {
      text = await readFile(options.file, 'utf8')
    } catch (error) {
      const code = (error as { code?: unknown }).code
      throw new UsageError(`The passphrase file ${options.file} cannot be read (${typeof code === 'string' ? code : 'error'}).`)
    }
    // One trailing newline is the editor's, not the passphrase's.
    const passphrase = text.replace(/\r?\n$/, '')
    if (passphrase === '') throw new UsageError(`The passphrase file ${options.file} is empty.`)
    return passphrase
  }
  if (process.stdin.isTTY && process.stderr.isTTY) {
    const first = await promptHidden('Passphrase: ')
    if (options.confirm) {
      const second = await promptHidden('Passphrase again: ')
      if (first !== second) throw new UsageError('The two passphrases differ.')
    }
    return first
  }
  if (!options.required) return null
  throw new UsageError(`No passphrase: set ${PASSPHRASE_ENV}, pass --passphrase-file <file>, or run in a terminal to be asked.`)
}

/** Reads one line from the terminal in raw mode, echoing nothing. Ctrl-C exits with 130. */
function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin
  process.stderr.write(prompt)
  return new Promise((resolve) => {
    let value = ''
    stdin.setRawMode(true)
    stdin.resume()
    stdin.setEncoding('utf8')
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') {
          stdin.off('data', onData)
          stdin.setRawMode(false)
          stdin.pause()
          process.stderr.write('\n')
          resolve(value)
          return
        }
        if (char === '\u0003') {
          stdin.setRawMode(false)
          process.stderr.write('\n')
          process.exit(130)
        }
        if (char === '\u007f' || char === '\b') value = [...value].slice(0, -1).join('')
        else value += char
      }
    }
    stdin.on('data', onData)
  })
}
