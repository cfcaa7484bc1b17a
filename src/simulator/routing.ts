// Message and receipt routing between simulated devices. The server never decrypts anything: it
// fans each client's per-device <enc> nodes out to the addressed devices, and never back to the
// sending device (an echo makes Baileys fail to decrypt and start a retry-receipt storm).

import { getBinaryNodeChild, jidDecode, jidEncode, jidNormalizedUser, type BinaryNode } from '@whiskeysockets/baileys'
import type { SimConnection } from './connection.js'
import type { AccountRecord, Directory } from './directory.js'
import type { FaultBook } from './faults/fault-book.js'
import type { SimulatorLogger } from './logger.js'

export interface RoutingContext {
  directory: Directory
  deliver(account: AccountRecord, deviceId: number, node: BinaryNode): void
  log: SimulatorLogger
  /**
   * Reject a message node that carries the same message twice for one device (two pairwise encs), with
   * an error ack 479 and no delivery. An assumption about real WhatsApp, taken from Baileys issue
   * reports and Baileys' own handling of that ack ("smax-invalid (479)"); see README.md.
   */
  rejectDuplicates: boolean
  rejected(id: string, code: 479 | 463): void
  /** The active faults: reach-out refusals, LID addressing, who has exchanged messages. */
  readonly faults: Pick<FaultBook, 'refusal' | 'exchanged' | 'addressing' | 'withheldPn'>
  /** A retry receipt for a message the simulated phone (device 0) sent: the phone answers it. */
  phoneRetry(phone: AccountRecord, receiver: AccountRecord, receiverDevice: number, receipt: BinaryNode): void
}

/** The error WhatsApp acks a malformed message stanza with (Baileys: SERVER_ERROR_CODES.SmaxInvalid). */
export const SMAX_INVALID = '479'

interface Target {
  account: AccountRecord
  deviceId: number
  encs: BinaryNode[]
}

function now(): string {
  return String(Math.floor(Date.now() / 1000))
}

function pnJid(account: AccountRecord, deviceId: number): string {
  return jidEncode(account.pn, 's.whatsapp.net', deviceId)
}

function lidJid(account: AccountRecord, deviceId: number): string {
  return jidEncode(account.lid, 'lid', deviceId)
}

function children(node: BinaryNode): BinaryNode[] {
  return Array.isArray(node.content) ? node.content : []
}

/** Resolves a device-qualified (or bare = device 0) PN or LID JID to a registered device. */
function resolveDevice(ctx: RoutingContext, jid: string): { account: AccountRecord; deviceId: number } | undefined {
  const decoded = jidDecode(jid)
  if (!decoded?.user) return undefined
  const account = ctx.directory.accountByUser(decoded.user, decoded.server)
  const deviceId = decoded.device ?? 0
  if (!account || !ctx.directory.device(account, deviceId)) return undefined
  return { account, deviceId }
}

export function routeMessage(ctx: RoutingContext, conn: SimConnection, sender: AccountRecord, node: BinaryNode): void {
  const senderDevice = conn.user!.deviceId
  const to = node.attrs.to ?? ''
  const id = node.attrs.id ?? ''
  const ack = (error?: string): void =>
    conn.sendNode({
      tag: 'ack',
      attrs: { class: 'message', id, from: to, t: now(), ...(node.attrs.type ? { type: node.attrs.type } : {}), ...(error ? { error } : {}) },
    })

  const toJid = jidDecode(to)
  if (!toJid) return ack()
  const isGroup = toJid.server === 'g.us'
  const targets = new Map<string, Target>()
  function addTarget(account: AccountRecord, deviceId: number, encs: BinaryNode[]): void {
    if (account === sender && deviceId === senderDevice) return
    const key = `${account.lid}:${deviceId}`
    const existing = targets.get(key)
    if (existing) existing.encs.push(...encs)
    else targets.set(key, { account, deviceId, encs: [...encs] })
  }

  for (const participant of children(getBinaryNodeChild(node, 'participants') ?? { tag: '', attrs: {} })) {
    if (participant.tag !== 'to') continue
    const target = resolveDevice(ctx, participant.attrs.jid ?? '')
    if (target) addTarget(target.account, target.deviceId, children(participant).filter((c) => c.tag === 'enc'))
  }
  const topEncs = children(node).filter((c) => c.tag === 'enc')
  if (topEncs.length) {
    if (isGroup) {
      const group = ctx.directory.group(toJid.user)
      const only = node.attrs.participant ? resolveDevice(ctx, node.attrs.participant) : undefined
      if (!group) ctx.log.info('message to an unknown group dropped', { to })
      else if (only) addTarget(only.account, only.deviceId, topEncs)
      else {
        for (const lid of group.members) {
          const member = ctx.directory.accountByLid(lid)
          for (const device of member?.devices ?? []) addTarget(member!, device.id, topEncs)
        }
      }
    } else {
      // Peer messages and targeted retries carry their enc at top level, addressed to one device.
      const target = resolveDevice(ctx, to)
      if (target) addTarget(target.account, target.deviceId, topEncs)
    }
  }

  const recipient = isGroup ? undefined : ctx.directory.accountByUser(toJid.user, toJid.server)
  const refusal = isGroup ? undefined : ctx.faults.refusal(sender, recipient)
  if (refusal) {
    ctx.log.info('message refused: a new contact under a reach-out-limit fault (463)', { id, to })
    ack(refusal)
    return ctx.rejected(id, 463)
  }

  const doubled = [...targets.values()].find((t) => t.encs.filter((e) => e.attrs.type !== 'skmsg').length > 1)
  if (ctx.rejectDuplicates && doubled) {
    ctx.log.info('message rejected: the same message twice for one device (479)', { id, target: `${doubled.account.lid}:${doubled.deviceId}` })
    ack(SMAX_INVALID)
    return ctx.rejected(id, 479)
  }
  ack()
  if (recipient) ctx.faults.exchanged(sender, recipient)

  const deviceIdentity = getBinaryNodeChild(node, 'device-identity')
  const lidAddressed = toJid.server === 'lid'
  const senderName = conn.pushName || sender.name
  // A lid fault addresses this sender's messages to others by its LID, with or without its PN.
  const addressing = ctx.faults.addressing(sender)
  for (const target of targets.values()) {
    if (target.encs.length === 0) continue
    const other = target.account !== sender
    const withPn = !(other && addressing === 'lid-pn-later')
    const attrs: Record<string, string> = { id, t: now(), type: node.attrs.type ?? 'text', notify: senderName }
    if (node.attrs.category) attrs.category = node.attrs.category
    if (node.attrs.edit) attrs.edit = node.attrs.edit
    if (isGroup) {
      attrs.from = to
      attrs.participant = lidJid(sender, senderDevice)
      if (withPn) attrs.participant_pn = pnJid(sender, senderDevice)
      attrs.addressing_mode = 'lid'
    } else if (lidAddressed || (other && addressing !== 'pn')) {
      attrs.from = lidJid(sender, senderDevice)
      if (withPn) attrs.sender_pn = pnJid(sender, senderDevice)
      attrs.addressing_mode = 'lid'
    } else {
      attrs.from = pnJid(sender, senderDevice)
      attrs.sender_lid = lidJid(sender, senderDevice)
    }
    // A copy for the sender's own other device: Baileys reads `recipient` as the chat (fromMe).
    if (target.account === sender && !isGroup && toJid.user !== sender.pn && toJid.user !== sender.lid) {
      attrs.recipient = jidNormalizedUser(to)
    }
    const pairwise = target.encs.filter((e) => e.attrs.type !== 'skmsg')
    const group = target.encs.filter((e) => e.attrs.type === 'skmsg')
    const content = [...pairwise, ...group]
    if (deviceIdentity && pairwise.some((e) => e.attrs.type === 'pkmsg')) content.push(deviceIdentity)
    ctx.deliver(target.account, target.deviceId, { tag: 'message', attrs, content })
    if (!withPn) ctx.faults.withheldPn(sender, target.account, target.deviceId)
    ctx.log.debug('message routed', {
      id,
      sender: `${sender.lid}:${senderDevice}`,
      target: `${target.account.lid}:${target.deviceId}`,
      encs: content.map((c) => c.attrs.type ?? c.tag),
    })
  }
}

export function routeReceipt(ctx: RoutingContext, conn: SimConnection, receiver: AccountRecord, node: BinaryNode): void {
  const receiverDevice = conn.user!.deviceId
  const to = node.attrs.to ?? ''
  const id = node.attrs.id ?? ''
  conn.sendNode({
    tag: 'ack',
    attrs: { class: 'receipt', id, from: to, ...(node.attrs.type ? { type: node.attrs.type } : {}) },
  })
  const toJid = jidDecode(to)
  if (!toJid) return
  const isGroup = toJid.server === 'g.us'
  const senderJid = isGroup ? node.attrs.participant : to
  const senderDecoded = senderJid ? jidDecode(senderJid) : undefined
  const sender = senderDecoded?.user ? ctx.directory.accountByUser(senderDecoded.user, senderDecoded.server) : undefined
  if (!sender || !senderDecoded) return
  if (node.attrs.type === 'retry' && !isGroup && (senderDecoded.device ?? 0) === 0) {
    // Device 0 is the simulated phone: it re-sends the message itself, as a sender's device does.
    ctx.log.debug('retry receipt for the phone', { id, receiver: `${receiver.lid}:${receiverDevice}` })
    return ctx.phoneRetry(sender, receiver, receiverDevice, node)
  }
  const receiverJid = senderDecoded.server === 'lid' ? lidJid(receiver, receiverDevice) : pnJid(receiver, receiverDevice)
  const attrs: Record<string, string> = { id, t: now() }
  // `inactive` only tells the server the receiver is not marked online; the sender sees a delivery.
  if (node.attrs.type && node.attrs.type !== 'inactive') attrs.type = node.attrs.type
  if (isGroup) {
    attrs.from = to
    attrs.participant = receiverJid
  } else {
    attrs.from = receiverJid
  }
  if (node.attrs.recipient) attrs.recipient = node.attrs.recipient
  ctx.log.debug('receipt routed', { id, type: node.attrs.type ?? 'delivery' })
  const forwarded: BinaryNode = { tag: 'receipt', attrs }
  if (Array.isArray(node.content) && node.content.length) forwarded.content = node.content
  // A targeted receipt (retry) goes to that device only; others go to every device of the sender.
  const devices = senderDecoded.device !== undefined && !isGroup ? [senderDecoded.device] : sender.devices.map((d) => d.id)
  for (const deviceId of devices) {
    if (sender === receiver && deviceId === receiverDevice) continue
    if (!ctx.directory.device(sender, deviceId)) continue
    ctx.deliver(sender, deviceId, forwarded)
  }
}
