// Test support for passkey linking against the simulator: a Baileys companion with the linker at its
// socket boundary, and a recorder of the steps it shows, awaited rather than polled. Tests (and the
// passkey benchmark and its recording script) only.

import { Browsers, type WASocket } from '@whiskeysockets/baileys'
import type { AppError } from '../../src/shared/errors'
import type { Simulator } from '../../src/simulator/simulator'
import { createTestSocket, MemoryAuthStore, waitForQr, DEFAULT_WAIT_MS } from './baileys-clients'
import { attachPasskeyLinking, type PasskeyLinker, type PasskeyLinkingOptions, type PasskeySocket, type PasskeyStep } from '../../src/main/core/passkey/linker'
import { platformTypeOf } from '../../src/main/core/passkey/protocol'

/** What createTestSocket registers with: its browser decides the device type. */
export const TEST_DEVICE_TYPE = platformTypeOf(Browsers.ubuntu('Chrome'))

type Phase = NonNullable<PasskeyStep>['phase']
type StepOf<P extends Phase> = Extract<PasskeyStep, { phase: P }>

/** Every step a linker showed, and the errors it reported, with awaitable next ones. */
export class StepRecorder {
  readonly steps: Array<PasskeyStep | null> = []
  readonly errors: AppError[] = []
  private readonly waiters = new Set<() => void>()

  readonly onStep = (step: PasskeyStep | null): void => {
    this.steps.push(step)
    this.wake()
  }

  readonly onError = (error: AppError): void => {
    this.errors.push(error)
    this.wake()
  }

  /** The first step in `phase` shown after the first `after` steps. */
  next<P extends Phase>(phase: P, after = 0, timeoutMs = DEFAULT_WAIT_MS): Promise<StepOf<P>> {
    return this.until(`a passkey step "${phase}"`, timeoutMs, () => this.steps.slice(after).find((s): s is StepOf<P> => s?.phase === phase))
  }

  nextError(after = 0, timeoutMs = DEFAULT_WAIT_MS): Promise<AppError> {
    return this.until('a passkey error', timeoutMs, () => this.errors[after])
  }

  private until<T>(what: string, timeoutMs: number, find: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const found = find()
        if (found === undefined) return false
        clearTimeout(timer)
        this.waiters.delete(wake)
        resolve(found)
        return true
      }
      const wake = (): void => void check()
      const timer = setTimeout(() => {
        this.waiters.delete(wake)
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))
      }, timeoutMs)
      if (!check()) this.waiters.add(wake)
    })
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake()
  }
}

export interface PasskeyCompanion {
  sock: WASocket
  store: MemoryAuthStore
  linker: PasskeyLinker
  recorder: StepRecorder
  qr: string
}

/**
 * A registering Baileys socket (its first QR shown) with the linker attached. `wrap` changes the
 * socket the linker sees (a test tampers with what it sends this way).
 */
export async function passkeyCompanion(
  sim: Pick<Simulator, 'url' | 'rootKeyHex'>,
  options: { store?: MemoryAuthStore; wrap?: (socket: PasskeySocket) => PasskeySocket; linking?: Partial<PasskeyLinkingOptions> } = {},
): Promise<PasskeyCompanion> {
  const store = options.store ?? new MemoryAuthStore()
  const sock = createTestSocket(sim, store)
  const recorder = new StepRecorder()
  const socket: PasskeySocket = options.wrap ? options.wrap(sock) : sock
  const linker = attachPasskeyLinking(socket, { deviceType: TEST_DEVICE_TYPE, onStep: recorder.onStep, onError: recorder.onError, ...options.linking })
  const qr = await waitForQr(sock)
  return { sock, store, linker, recorder, qr }
}
