// Worker thread of seed-accounts.ts: builds the identities it is given (seed-identity.ts) and posts
// them back in one message. CPU only; it touches no file and no database.

import { parentPort, workerData } from 'node:worker_threads'
import { seedIdentity, type SeedIdentity, type SeedIdentityInput } from './seed-identity'

const inputs = workerData as SeedIdentityInput[]
const out: SeedIdentity[] = []
for (const input of inputs) out.push(await seedIdentity(input))
parentPort!.postMessage(out)
