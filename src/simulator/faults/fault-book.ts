// Which faults are active for which phone, and the small questions the rest of the simulator asks of
// them while it routes: is this socket silent, is this send refused, how is this sender addressed, is
// this message to be spoiled. Faults live in memory only: a restarted simulator has none.
// What each kind models, and what is assumed about real WhatsApp, is in README.md ("Faults on request").

import { randomBytes } from 'node:crypto'
import { jidEncode, type BinaryNode } from '@whiskeysockets/baileys'
import { assertNever } from '../../shared/errors.js'
import type { SimConnection } from '../connection.js'
import type { AccountRecord, Directory } from '../directory.js'
import type { SimulatorLogger } from '../logger.js'
import { spoilCiphertext } from './corrupt.js'
import { unknownPhone, type ClearedFaults, type Fault, type FaultKind, type InjectedFault } from './fault.js'

/** What the simulator lends the fault book to act on sockets and devices. */
export interface FaultHost {
  directory: Directory
  log: SimulatorLogger
  /** The account's logged-in connections, open now. */
  liveConnections(account: AccountRecord): SimConnection[]
  /** Ends a connection with the stanza WhatsApp sends for `code`. */
  kick(conn: SimConnection, code: number): void
  /** Unlinks a device as its phone would (its socket ends with 401). */
  unlink(account: AccountRecord, deviceId: number): Promise<void>
  /** Sends a connection whose silence ended what was queued for its device meanwhile. */
  resume(conn: SimConnection): void
  deliver(account: AccountRecord, deviceId: number, node: BinaryNode): void
  spoiled(id: string, jid: string): void
  ended(phone: string, kind: FaultKind): void
}

/** How a sender's messages to other accounts are addressed (README.md, "lid"). */
export type Addressing = 'pn' | 'lid' | 'lid-pn-later'

/** Baileys: SERVER_ERROR_CODES.MessageAccountRestriction (its comments call it a reach-out restriction). */
export const REACH_OUT_REFUSED = '463'

interface Silence {
  conns: Set<SimConnection>
  until: number
  timer: NodeJS.Timeout
}

interface PhoneFaults {
  /** A 403: logins are refused until the faults are cleared. */
  banned: boolean
  /** Sockets stalled by a 408: silent until they close. */
  stalled: Set<SimConnection>
  silence: Silence | null
  badMac: { remaining: number; ids: Set<string> } | null
  /** `announce`: the companions are told when it starts and ends (README.md, "reach-out-limit"). */
  reachOut: { until: number; timer: NodeJS.Timeout; announce: boolean } | null
  lid: { mappingAfterMs: number | null; announced: Set<string>; timers: Set<NodeJS.Timeout> } | null
}

function none(): PhoneFaults {
  return { banned: false, stalled: new Set(), silence: null, badMac: null, reachOut: null, lid: null }
}

function activeKinds(f: PhoneFaults): FaultKind[] {
  const kinds: FaultKind[] = []
  if (f.banned || f.stalled.size > 0) kinds.push('close')
  if (f.silence) kinds.push('silence')
  if (f.badMac) kinds.push('bad-mac')
  if (f.reachOut) kinds.push('reach-out-limit')
  if (f.lid) kinds.push('lid')
  return kinds
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref()
  return timer
}

export class FaultBook {
  private readonly byPhone = new Map<string, PhoneFaults>()
  /**
   * Pairs of accounts (by LID) that have exchanged a message: a 1:1 message the simulator accepted,
   * in either direction, sent by a companion or by the phone, since this simulator started. Not
   * persisted, so after a restart every pair is new again.
   */
  private readonly contacts = new Map<string, Set<string>>()

  constructor(private readonly host: FaultHost) {}

  async inject(fault: Fault): Promise<InjectedFault> {
    const account = this.host.directory.accountByPn(fault.phone)
    if (!account) throw unknownPhone(fault.phone)
    const faults = this.faultsOf(fault.phone)
    const done = (sockets: number, until: number | null = null): InjectedFault => ({
      phone: fault.phone,
      kind: fault.kind,
      sockets,
      until: until === null ? null : new Date(until).toISOString(),
    })
    this.host.log.info('fault injected', { ...fault })
    switch (fault.kind) {
      case 'close':
        return done(await this.closeSockets(account, faults, fault.code))
      case 'silence': {
        const silence = this.silence(fault.phone, faults, account, fault.seconds * 1000)
        return done(silence.conns.size, silence.until)
      }
      case 'bad-mac':
        faults.badMac = { remaining: fault.count, ids: faults.badMac?.ids ?? new Set() }
        return done(0)
      case 'reach-out-limit': {
        if (faults.reachOut) clearTimeout(faults.reachOut.timer)
        const until = Date.now() + fault.seconds * 1000
        const timer = unref(setTimeout(() => this.endReachOut(fault.phone), fault.seconds * 1000))
        const announce = fault.announce ?? true
        faults.reachOut = { until, timer, announce }
        if (announce) this.tellReachOut(account, until)
        return done(0, until)
      }
      case 'lid':
        this.stopLid(faults)
        if (fault.on) {
          const mappingAfterMs = fault.mappingAfterSeconds === undefined ? null : fault.mappingAfterSeconds * 1000
          faults.lid = { mappingAfterMs, announced: new Set(), timers: new Set() }
        }
        this.forgetIfEmpty(fault.phone)
        return done(0)
      default:
        return assertNever(fault, 'fault kind')
    }
  }

  /** Ends every fault of `phone`: silent sockets get what waited for them, a ban is lifted. */
  clear(phone: string): ClearedFaults {
    if (!this.host.directory.accountByPn(phone)) throw unknownPhone(phone)
    const faults = this.byPhone.get(phone)
    if (!faults) return { phone, cleared: [] }
    const cleared = activeKinds(faults)
    this.byPhone.delete(phone)
    const silent = new Set([...faults.stalled, ...(faults.silence?.conns ?? [])])
    if (faults.silence) clearTimeout(faults.silence.timer)
    if (faults.reachOut) clearTimeout(faults.reachOut.timer)
    this.stopLid(faults)
    for (const conn of silent) this.speak(conn)
    if (faults.reachOut?.announce) this.tellReachOut(this.host.directory.accountByPn(phone)!, null)
    this.host.log.info('faults cleared', { phone, cleared })
    return { phone, cleared }
  }

  /** Stops every timer; the simulator is closing. */
  close(): void {
    for (const faults of this.byPhone.values()) {
      if (faults.silence) clearTimeout(faults.silence.timer)
      if (faults.reachOut) clearTimeout(faults.reachOut.timer)
      this.stopLid(faults)
    }
    this.byPhone.clear()
  }

  /** A connection closed: a stall or silence no longer holds it. */
  closed(conn: SimConnection): void {
    const faults = conn.user ? this.byPhone.get(conn.user.pn) : undefined
    if (!faults) return
    faults.stalled.delete(conn)
    faults.silence?.conns.delete(conn)
    this.forgetIfEmpty(conn.user!.pn)
  }

  isBanned(account: AccountRecord): boolean {
    return this.byPhone.get(account.pn)?.banned ?? false
  }

  /** The error a 1:1 send from `sender` to `recipient` is acked with, or undefined to route it. */
  refusal(sender: AccountRecord, recipient: AccountRecord | undefined): string | undefined {
    const limit = this.byPhone.get(sender.pn)?.reachOut
    if (!limit || limit.until <= Date.now() || recipient === sender) return undefined
    if (recipient && this.contacts.get(sender.lid)?.has(recipient.lid)) return undefined
    return REACH_OUT_REFUSED
  }

  /** Records that `a` and `b` exchanged a 1:1 message (either direction counts for both). */
  exchanged(a: AccountRecord, b: AccountRecord): void {
    if (a === b) return
    for (const [x, y] of [
      [a, b],
      [b, a],
    ] as const) {
      let known = this.contacts.get(x.lid)
      if (!known) this.contacts.set(x.lid, (known = new Set()))
      known.add(y.lid)
    }
  }

  addressing(sender: AccountRecord): Addressing {
    const lid = this.byPhone.get(sender.pn)?.lid
    if (!lid) return 'pn'
    return lid.mappingAfterMs === null ? 'lid' : 'lid-pn-later'
  }

  /**
   * A message from `sender` reached a device of `receiver` without the sender's PN: the mapping
   * follows later, once per receiving device, as the notification Baileys turns into
   * `lid-mapping.update` (README.md, "lid").
   */
  withheldPn(sender: AccountRecord, receiver: AccountRecord, deviceId: number): void {
    const lid = this.byPhone.get(sender.pn)?.lid
    if (!lid || lid.mappingAfterMs === null) return
    const key = `${receiver.lid}:${deviceId}`
    if (lid.announced.has(key)) return
    lid.announced.add(key)
    const send = (): void => this.host.deliver(receiver, deviceId, linkedProfileNotification(sender))
    if (lid.mappingAfterMs === 0) return send()
    const timer = unref(
      setTimeout(() => {
        lid.timers.delete(timer)
        send()
      }, lid.mappingAfterMs),
    )
    lid.timers.add(timer)
  }

  /**
   * A message stanza about to reach a device of `account`: spoiled when a bad-mac fault still has
   * messages to spoil. A message counts once however many devices it reaches; a retry resend (its
   * encs carry `count`) and a copy for the sender's own devices pass untouched.
   */
  beforeDeliver(account: AccountRecord, deviceId: number, node: BinaryNode): BinaryNode {
    const badMac = this.byPhone.get(account.pn)?.badMac
    if (!badMac || node.tag !== 'message' || node.attrs.recipient || !Array.isArray(node.content)) return node
    const id = node.attrs.id ?? ''
    const pairwise = node.content.filter((c) => c.tag === 'enc' && (c.attrs.type === 'msg' || c.attrs.type === 'pkmsg'))
    if (pairwise.length === 0 || pairwise.some((c) => c.attrs.count !== undefined)) return node
    if (!badMac.ids.has(id)) {
      if (badMac.remaining === 0) return node
      badMac.remaining--
      badMac.ids.add(id)
    }
    const content = node.content.map((c) =>
      pairwise.includes(c) && c.content instanceof Uint8Array ? { ...c, content: spoilCiphertext(c.attrs.type!, c.content) } : c,
    )
    this.host.spoiled(id, jidEncode(account.pn, 's.whatsapp.net', deviceId))
    return { ...node, content }
  }

  private faultsOf(phone: string): PhoneFaults {
    let faults = this.byPhone.get(phone)
    if (!faults) this.byPhone.set(phone, (faults = none()))
    return faults
  }

  private forgetIfEmpty(phone: string): void {
    const faults = this.byPhone.get(phone)
    if (faults && activeKinds(faults).length === 0) this.byPhone.delete(phone)
  }

  private async closeSockets(account: AccountRecord, faults: PhoneFaults, code: number): Promise<number> {
    const conns = this.host.liveConnections(account)
    switch (code) {
      case 401:
        // 401 means this device is logged out: it is unlinked, so its next login fails too.
        for (const conn of conns) await this.host.unlink(account, conn.user!.deviceId)
        break
      case 403:
        faults.banned = true
        for (const conn of conns) this.host.kick(conn, code)
        break
      case 408:
        for (const conn of conns) {
          faults.stalled.add(conn)
          conn.silenced = true
        }
        break
      case 428:
        for (const conn of conns) conn.terminate()
        break
      default:
        for (const conn of conns) this.host.kick(conn, code)
    }
    this.forgetIfEmpty(account.pn)
    return conns.length
  }

  private silence(phone: string, faults: PhoneFaults, account: AccountRecord, ms: number): Silence {
    if (faults.silence) clearTimeout(faults.silence.timer)
    const conns = faults.silence?.conns ?? new Set<SimConnection>()
    for (const conn of this.host.liveConnections(account)) {
      conns.add(conn)
      conn.silenced = true
    }
    const timer = unref(setTimeout(() => this.endSilence(phone), ms))
    faults.silence = { conns, until: Date.now() + ms, timer }
    return faults.silence
  }

  private endSilence(phone: string): void {
    const faults = this.byPhone.get(phone)
    if (!faults?.silence) return
    const { conns } = faults.silence
    faults.silence = null
    for (const conn of conns) if (!faults.stalled.has(conn)) this.speak(conn)
    this.forgetIfEmpty(phone)
    this.host.ended(phone, 'silence')
  }

  private endReachOut(phone: string): void {
    const faults = this.byPhone.get(phone)
    if (!faults?.reachOut) return
    const { announce } = faults.reachOut
    faults.reachOut = null
    this.forgetIfEmpty(phone)
    const account = this.host.directory.accountByPn(phone)
    if (account && announce) this.tellReachOut(account, null)
    this.host.ended(phone, 'reach-out-limit')
  }

  /**
   * Tells each companion of `account` that a reach-out limit is set (until `until`) or lifted (null):
   * the notification Baileys turns into `connection.update.reachoutTimeLock`. That WhatsApp sends it
   * when a limit starts and ends is assumed (README.md, "reach-out-limit").
   */
  private tellReachOut(account: AccountRecord, until: number | null): void {
    const timelock = until === null ? { is_active: false } : { is_active: true, time_enforcement_ends: String(Math.floor(until / 1000)) }
    for (const device of account.devices) {
      this.host.deliver(account, device.id, mexNotification('NotificationUserReachoutTimelockUpdate', { xwa2_notify_account_reachout_timelock: timelock }))
    }
  }

  private speak(conn: SimConnection): void {
    if (!conn.silenced) return
    conn.silenced = false
    if (conn.isOpen) this.host.resume(conn)
  }

  private stopLid(faults: PhoneFaults): void {
    for (const timer of faults.lid?.timers ?? []) clearTimeout(timer)
    faults.lid = null
  }
}

/** A `mex` notification: GraphQL-style JSON under an `update` named by its operation, as Baileys reads it. */
function mexNotification(operation: string, data: Record<string, unknown>): BinaryNode {
  return {
    tag: 'notification',
    attrs: { from: '@s.whatsapp.net', type: 'mex', id: randomBytes(8).toString('hex'), t: String(Math.floor(Date.now() / 1000)) },
    content: [{ tag: 'update', attrs: { op_name: operation }, content: Buffer.from(JSON.stringify({ data })) }],
  }
}

/**
 * The server telling a device which phone number a LID belongs to. Baileys 7.0.0-rc14 handles the
 * `NotificationLinkedProfilesUpdates` operation by storing the pair and emitting `lid-mapping.update`
 * (Socket/messages-recv.js); whether real WhatsApp uses it for this is assumed.
 */
function linkedProfileNotification(sender: AccountRecord): BinaryNode {
  return mexNotification('NotificationLinkedProfilesUpdates', {
    xwa2_notify_linked_profiles: {
      jid: jidEncode(sender.lid, 'lid'),
      added_profiles: [{ pn: jidEncode(sender.pn, 's.whatsapp.net') }],
    },
  })
}
