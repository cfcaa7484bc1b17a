// The simulator's in-memory directory: accounts (one per phone number), their companion devices
// and Signal bundles, groups and the per-device offline queues. Plain data so it serialises to the
// optional state file as JSON; binary fields are base64.

import { randomBytes } from 'node:crypto'
import { Curve } from '@whiskeysockets/baileys'
import type { PasskeyRecord } from './passkey/assertion.js'

export interface PreKey {
  id: number
  pub: string
}

export interface SignedPreKey {
  id: number
  pub: string
  sig: string
}

export interface DeviceRecord {
  id: number
  noisePub: string
  registrationId: number
  identityPub: string
  signedPreKey: SignedPreKey
  preKeys: PreKey[]
  pushName: string
  platform: string
  createdAt: number
}

export interface AccountRecord {
  pn: string
  lid: string
  name: string
  /** The simulated phone's ADV account key (device 0 has no Signal identity). */
  advPub: string
  advPriv: string
  nextDeviceId: number
  devices: DeviceRecord[]
  /** Set when linking this phone requires a passkey step (POST /passkey). */
  passkey?: PasskeyRecord
}

export interface GroupRecord {
  id: string
  subject: string
  creatorLid: string
  creation: number
  /** Member LID users (digits only). */
  members: string[]
}

export interface DirectoryData {
  nextPhone: number
  nextLid: number
  nextGroup: number
  accounts: AccountRecord[]
  groups: GroupRecord[]
  /** Encoded stanzas waiting for an offline device, keyed by "<lid>:<device>", base64. */
  offline: Record<string, string[]>
}

export interface DeviceRef {
  account: AccountRecord
  device: DeviceRecord
}

export const FIRST_PHONE = 15550000001
/** A device that never comes back must not grow the state file without bound. */
const MAX_QUEUED_PER_DEVICE = 10_000
const FIRST_LID = 100000000000001

export function emptyDirectoryData(): DirectoryData {
  return { nextPhone: FIRST_PHONE, nextLid: FIRST_LID, nextGroup: 1, accounts: [], groups: [], offline: {} }
}

export class Directory {
  private readonly byPn = new Map<string, AccountRecord>()
  private readonly byLid = new Map<string, AccountRecord>()
  private readonly groupsById = new Map<string, GroupRecord>()

  constructor(readonly data: DirectoryData) {
    for (const account of data.accounts) this.index(account)
    for (const group of data.groups) this.groupsById.set(group.id, group)
  }

  accounts(): readonly AccountRecord[] {
    return this.data.accounts
  }

  accountByPn(pn: string): AccountRecord | undefined {
    return this.byPn.get(pn)
  }

  accountByLid(lid: string): AccountRecord | undefined {
    return this.byLid.get(lid)
  }

  /** Finds the account for a bare user part of either domain. */
  accountByUser(user: string, server: string): AccountRecord | undefined {
    return server === 'lid' ? this.byLid.get(user) : this.byPn.get(user)
  }

  /** Existing account for `phone`, or a new one with the next free number and LID. */
  ensureAccount(phone: string | undefined, name: string | undefined): AccountRecord {
    if (phone) {
      const existing = this.byPn.get(phone)
      if (existing) return existing
    }
    let pn = phone
    while (!pn || this.byPn.has(pn)) pn = String(this.data.nextPhone++)
    let lid = String(this.data.nextLid++)
    while (this.byLid.has(lid)) lid = String(this.data.nextLid++)
    const adv = Curve.generateKeyPair()
    const account: AccountRecord = {
      pn,
      lid,
      name: name ?? `Sim ${pn}`,
      advPub: Buffer.from(adv.public).toString('base64'),
      advPriv: Buffer.from(adv.private).toString('base64'),
      nextDeviceId: 1,
      devices: [],
    }
    this.data.accounts.push(account)
    this.index(account)
    return account
  }

  /** Undoes ensureAccount for an account whose first pairing failed, so it does not linger deviceless. */
  dropIfUnused(account: AccountRecord): void {
    if (account.devices.length > 0 || account.passkey || this.data.groups.some((g) => g.members.includes(account.lid))) return
    this.data.accounts = this.data.accounts.filter((a) => a !== account)
    this.byPn.delete(account.pn)
    this.byLid.delete(account.lid)
  }

  device(account: AccountRecord, id: number): DeviceRecord | undefined {
    return account.devices.find((d) => d.id === id)
  }

  removeDevice(account: AccountRecord, id: number): boolean {
    const before = account.devices.length
    account.devices = account.devices.filter((d) => d.id !== id)
    delete this.data.offline[queueKey(account, id)]
    return account.devices.length !== before
  }

  /** Hands out one one-time pre-key and forgets it, as the real server does. */
  takePreKey(device: DeviceRecord): PreKey | undefined {
    return device.preKeys.shift()
  }

  createGroup(subject: string, creator: AccountRecord, members: AccountRecord[]): GroupRecord {
    const id = `1203630${String(this.data.nextGroup++).padStart(11, '0')}`
    const lids = [creator.lid, ...members.map((m) => m.lid).filter((l) => l !== creator.lid)]
    const group: GroupRecord = {
      id,
      subject,
      creatorLid: creator.lid,
      creation: Math.floor(Date.now() / 1000),
      members: [...new Set(lids)],
    }
    this.data.groups.push(group)
    this.groupsById.set(id, group)
    return group
  }

  group(id: string): GroupRecord | undefined {
    return this.groupsById.get(id)
  }

  groupsOf(account: AccountRecord): GroupRecord[] {
    return this.data.groups.filter((g) => g.members.includes(account.lid))
  }

  /** Returns false when the oldest stanza had to be dropped to stay within the per-device cap. */
  enqueue(account: AccountRecord, deviceId: number, encodedStanza: Buffer): boolean {
    const key = queueKey(account, deviceId)
    const queue = (this.data.offline[key] ??= [])
    queue.push(encodedStanza.toString('base64'))
    if (queue.length <= MAX_QUEUED_PER_DEVICE) return true
    queue.shift()
    return false
  }

  drain(account: AccountRecord, deviceId: number): Buffer[] {
    const key = queueKey(account, deviceId)
    const queue = this.data.offline[key] ?? []
    delete this.data.offline[key]
    return queue.map((b64) => Buffer.from(b64, 'base64'))
  }

  private index(account: AccountRecord): void {
    this.byPn.set(account.pn, account)
    this.byLid.set(account.lid, account)
  }
}

function queueKey(account: AccountRecord, deviceId: number): string {
  return `${account.lid}:${deviceId}`
}

/** Pairing refs: printable, comma-free, unique enough for one simulator's lifetime. */
export function newRef(): string {
  return `2@${randomBytes(18).toString('base64').replace(/[+/=,]/g, 'x')}`
}
