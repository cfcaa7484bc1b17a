// Optional persistence for the simulator: one JSON file holding the server identity (static key,
// certificate chain, root) and the directory. Written atomically (temp file + rename) so a crash
// mid-write leaves the previous state, and coalesced so a burst of changes costs one write.

import { readFile, rename, writeFile } from 'node:fs/promises'
import { z } from 'zod'
import { AppError } from '../shared/errors.js'
import type { ServerIdentity } from './cert.js'
import type { DirectoryData } from './directory.js'

const preKey = z.object({ id: z.number(), pub: z.string() })
const stateSchema = z.object({
  version: z.literal(1),
  server: z.object({ staticPub: z.string(), staticPriv: z.string(), certChain: z.string(), rootPub: z.string() }),
  directory: z.object({
    nextPhone: z.number(),
    nextLid: z.number(),
    nextGroup: z.number(),
    accounts: z.array(
      z.object({
        pn: z.string(),
        lid: z.string(),
        name: z.string(),
        advPub: z.string(),
        advPriv: z.string(),
        nextDeviceId: z.number(),
        passkey: z
          .object({
            credentialId: z.string(),
            publicKeyJwk: z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() }),
            signCount: z.number(),
          })
          .optional(),
        devices: z.array(
          z.object({
            id: z.number(),
            noisePub: z.string(),
            registrationId: z.number(),
            identityPub: z.string(),
            signedPreKey: z.object({ id: z.number(), pub: z.string(), sig: z.string() }),
            preKeys: z.array(preKey),
            pushName: z.string(),
            platform: z.string(),
            createdAt: z.number(),
          }),
        ),
      }),
    ),
    groups: z.array(
      z.object({
        id: z.string(),
        subject: z.string(),
        creatorLid: z.string(),
        creation: z.number(),
        members: z.array(z.string()),
      }),
    ),
    offline: z.record(z.string(), z.array(z.string())),
  }),
})

export interface SimulatorState {
  server: ServerIdentity
  directory: DirectoryData
}

/** Returns null when the file does not exist; throws AppError('storage-corrupt') when it is unreadable. */
export async function readStateFile(path: string): Promise<SimulatorState | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw new AppError('storage-corrupt', 'Cannot read the simulator state file', { cause: err })
  }
  let parsed: z.infer<typeof stateSchema>
  try {
    parsed = stateSchema.parse(JSON.parse(text))
  } catch (err) {
    throw new AppError('storage-corrupt', 'The simulator state file is not valid', { cause: err })
  }
  const s = parsed.server
  return {
    server: {
      serverStatic: { public: Buffer.from(s.staticPub, 'base64'), private: Buffer.from(s.staticPriv, 'base64') },
      certChain: Buffer.from(s.certChain, 'base64'),
      rootPublic: Buffer.from(s.rootPub, 'base64'),
    },
    directory: parsed.directory,
  }
}

function serialise(state: SimulatorState): string {
  const doc: z.infer<typeof stateSchema> = {
    version: 1,
    server: {
      staticPub: state.server.serverStatic.public.toString('base64'),
      staticPriv: state.server.serverStatic.private.toString('base64'),
      certChain: state.server.certChain.toString('base64'),
      rootPub: state.server.rootPublic.toString('base64'),
    },
    directory: state.directory,
  }
  return JSON.stringify(doc)
}

export async function writeStateFileAtomic(path: string, state: SimulatorState): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, serialise(state), { mode: 0o600 })
  await rename(tmp, path)
}

/** At most one write in flight; changes made during a write trigger exactly one more. */
export class StateSaver {
  private running: Promise<void> | null = null
  private dirty = false
  private lastError: unknown = null

  constructor(
    private readonly path: string,
    private readonly snapshot: () => SimulatorState,
    private readonly onError: (err: unknown) => void,
  ) {}

  markDirty(): void {
    this.dirty = true
    if (!this.running) this.running = this.loop()
  }

  async flush(): Promise<void> {
    while (this.running) await this.running
    if (this.lastError) {
      const err = this.lastError
      this.lastError = null
      throw err
    }
  }

  private async loop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false
        try {
          await writeStateFileAtomic(this.path, this.snapshot())
        } catch (err) {
          this.lastError = err
          this.onError(err)
        }
      }
    } finally {
      this.running = null
    }
  }
}
