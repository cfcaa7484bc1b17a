// Answers for every IQ a Baileys client sends. Baileys awaits several of these before `open` and
// waits 60 s for any that goes unanswered, so every IQ gets a reply: unknown ones an empty result
// plus a log line.

import {
  getBinaryNodeChild,
  getBinaryNodeChildBuffer,
  getBinaryNodeChildren,
  getBinaryNodeChildUInt,
  jidDecode,
  type BinaryNode,
} from '@whiskeysockets/baileys'
import type { SimConnection } from './connection.js'
import type { AccountRecord, Directory, GroupRecord } from './directory.js'
import type { SimulatorLogger } from './logger.js'

export interface IqContext {
  directory: Directory
  persist(): void
  log: SimulatorLogger
  removeDevice(account: AccountRecord, deviceId: number): void
}

const SERVER = '@s.whatsapp.net'
/** IQs whose empty result is a complete answer at this fidelity; no log line for them. */
const QUIET_EMPTY = new Set(['w:stats', 'urn:xmpp:whatsapp:dirty', 'status', 'w:profile:picture', 'bot', 'disappearing_mode', 'passive', 'w:p'])

function result(req: BinaryNode, content?: BinaryNode[]): BinaryNode {
  const node: BinaryNode = { tag: 'iq', attrs: { id: req.attrs.id ?? '', type: 'result', from: req.attrs.to ?? SERVER } }
  if (content) node.content = content
  return node
}

function errorReply(req: BinaryNode, code: number, text: string): BinaryNode {
  return {
    tag: 'iq',
    attrs: { id: req.attrs.id ?? '', type: 'error', from: req.attrs.to ?? SERVER },
    content: [{ tag: 'error', attrs: { code: String(code), text } }],
  }
}

function firstChild(node: BinaryNode): BinaryNode | undefined {
  return Array.isArray(node.content) ? node.content[0] : undefined
}

function uint(value: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes)
  out.writeUIntBE(value, 0, bytes)
  return out
}

function b64(value: string): Buffer {
  return Buffer.from(value, 'base64')
}

export function handleIq(ctx: IqContext, conn: SimConnection, req: BinaryNode): BinaryNode {
  const xmlns = req.attrs.xmlns ?? ''
  const child = firstChild(req)
  const account = conn.user ? ctx.directory.accountByLid(conn.user.lid) : undefined
  switch (xmlns) {
    case 'encrypt':
      if (account && conn.user) return handleEncrypt(ctx, account, conn.user.deviceId, req, child)
      break
    case 'usync':
      return handleUsync(ctx, req)
    case 'w:g2':
      if (account) return handleGroups(ctx, account, req, child)
      break
    case 'abt':
      return result(req, [{ tag: 'props', attrs: { protocol: '1', hash: 'sim' } }])
    case 'blocklist':
      return result(req, [{ tag: 'list', attrs: {} }])
    case 'privacy':
      if (req.attrs.type === 'get') {
        const categories = ['last', 'online', 'profile', 'status', 'groupadd', 'readreceipts', 'calladd']
        return result(req, [
          {
            tag: 'privacy',
            attrs: {},
            content: categories.map((name) => ({ tag: 'category', attrs: { name, value: 'all' } })),
          },
        ])
      }
      return result(req)
    case 'md':
      if (child?.tag === 'remove-companion-device' && account) {
        const target = jidDecode(child.attrs.jid ?? '')
        if (target?.device !== undefined && (target.user === account.pn || target.user === account.lid)) {
          ctx.removeDevice(account, target.device)
        }
        return result(req)
      }
      break
    case 'w:m':
      if (child?.tag === 'media_conn') {
        // No media CDN at this fidelity: the host exists so Baileys parses the reply, uploads fail.
        return result(req, [
          {
            tag: 'media_conn',
            attrs: { auth: 'simulator', ttl: '3600', auth_ttl: '3600', max_buckets: '1' },
            content: [{ tag: 'host', attrs: { hostname: '127.0.0.1' } }],
          },
        ])
      }
      break
    default:
      if (QUIET_EMPTY.has(xmlns)) return result(req)
  }
  ctx.log.warn('unknown iq answered with an empty result', { xmlns, type: req.attrs.type, child: child?.tag })
  return result(req)
}

function handleEncrypt(
  ctx: IqContext,
  account: AccountRecord,
  deviceId: number,
  req: BinaryNode,
  child: BinaryNode | undefined,
): BinaryNode {
  const device = ctx.directory.device(account, deviceId)
  if (!device) return errorReply(req, 401, 'not-authorized')
  if (child?.tag === 'count') return result(req, [{ tag: 'count', attrs: { value: String(device.preKeys.length) } }])
  if (child?.tag === 'digest') return result(req, [{ tag: 'digest', attrs: {} }])
  if (child?.tag === 'key') return keyBundles(ctx, req, child)
  if (child?.tag === 'rotate') {
    const skey = getBinaryNodeChild(child, 'skey')
    if (skey) device.signedPreKey = readSignedKey(skey)
    ctx.persist()
    return result(req)
  }
  if (getBinaryNodeChild(req, 'list') || getBinaryNodeChild(req, 'registration')) {
    const registration = getBinaryNodeChildUInt(req, 'registration', 4)
    const identity = getBinaryNodeChildBuffer(req, 'identity')
    const skey = getBinaryNodeChild(req, 'skey')
    if (registration !== undefined) device.registrationId = registration
    if (identity) device.identityPub = Buffer.from(identity).toString('base64')
    if (skey) device.signedPreKey = readSignedKey(skey)
    const known = new Set(device.preKeys.map((k) => k.id))
    for (const key of getBinaryNodeChildren(getBinaryNodeChild(req, 'list'), 'key')) {
      const id = getBinaryNodeChildUInt(key, 'id', 3)
      const value = getBinaryNodeChildBuffer(key, 'value')
      if (id === undefined || !value || known.has(id)) continue
      device.preKeys.push({ id, pub: Buffer.from(value).toString('base64') })
      known.add(id)
    }
    ctx.persist()
    return result(req)
  }
  ctx.log.warn('unknown encrypt iq answered with an empty result', { child: child?.tag })
  return result(req)
}

function readSignedKey(skey: BinaryNode): { id: number; pub: string; sig: string } {
  return {
    id: getBinaryNodeChildUInt(skey, 'id', 3) ?? 0,
    pub: Buffer.from(getBinaryNodeChildBuffer(skey, 'value') ?? []).toString('base64'),
    sig: Buffer.from(getBinaryNodeChildBuffer(skey, 'signature') ?? []).toString('base64'),
  }
}

function keyBundles(ctx: IqContext, req: BinaryNode, keyNode: BinaryNode): BinaryNode {
  const users: BinaryNode[] = []
  let tookPreKey = false
  for (const user of getBinaryNodeChildren(keyNode, 'user')) {
    const jid = user.attrs.jid ?? ''
    const decoded = jidDecode(jid)
    if (!decoded?.user) continue
    const target = ctx.directory.accountByUser(decoded.user, decoded.server)
    // Device 0 is the simulated phone: it has no Signal identity, so it is left out, not errored.
    const device = target ? ctx.directory.device(target, decoded.device ?? 0) : undefined
    if (!device) continue
    const preKey = ctx.directory.takePreKey(device)
    tookPreKey ||= Boolean(preKey)
    const content: BinaryNode[] = [
      { tag: 'registration', attrs: {}, content: uint(device.registrationId, 4) },
      { tag: 'type', attrs: {}, content: Buffer.from([5]) },
      { tag: 'identity', attrs: {}, content: b64(device.identityPub) },
      {
        tag: 'skey',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: uint(device.signedPreKey.id, 3) },
          { tag: 'value', attrs: {}, content: b64(device.signedPreKey.pub) },
          { tag: 'signature', attrs: {}, content: b64(device.signedPreKey.sig) },
        ],
      },
    ]
    if (preKey) {
      content.push({
        tag: 'key',
        attrs: {},
        content: [
          { tag: 'id', attrs: {}, content: uint(preKey.id, 3) },
          { tag: 'value', attrs: {}, content: b64(preKey.pub) },
        ],
      })
    }
    users.push({ tag: 'user', attrs: { jid }, content })
  }
  if (tookPreKey) ctx.persist()
  return result(req, [{ tag: 'list', attrs: {}, content: users }])
}

function handleUsync(ctx: IqContext, req: BinaryNode): BinaryNode {
  const usync = getBinaryNodeChild(req, 'usync')
  const query = getBinaryNodeChild(usync, 'query')
  const protocols = Array.isArray(query?.content) ? query.content.map((p) => p.tag) : []
  const users: BinaryNode[] = []
  for (const user of getBinaryNodeChildren(getBinaryNodeChild(usync, 'list'), 'user')) {
    let jid = user.attrs.jid
    const contact = getBinaryNodeChild(user, 'contact')
    if (!jid && contact?.content) {
      const digits = Buffer.from(contact.content as Uint8Array).toString('utf8').replace(/\D/g, '')
      jid = `${digits}${SERVER}`
    }
    if (!jid) continue
    const decoded = jidDecode(jid)
    const account = decoded?.user ? ctx.directory.accountByUser(decoded.user, decoded.server) : undefined
    const content: BinaryNode[] = []
    for (const protocol of protocols) {
      if (protocol === 'devices') {
        const list = (account?.devices ?? []).map((d) => ({ tag: 'device', attrs: { id: String(d.id), 'key-index': String(d.id) } }))
        content.push({ tag: 'devices', attrs: {}, content: [{ tag: 'device-list', attrs: {}, content: list }] })
      } else if (protocol === 'lid') {
        if (account && decoded?.server !== 'lid') content.push({ tag: 'lid', attrs: { val: `${account.lid}@lid` } })
      } else if (protocol === 'contact') {
        content.push({ tag: 'contact', attrs: { type: account ? 'in' : 'out' } })
      }
    }
    users.push({ tag: 'user', attrs: { jid }, content })
  }
  return result(req, [
    {
      tag: 'usync',
      attrs: { sid: usync?.attrs.sid ?? '', index: '0', last: 'true' },
      content: [
        { tag: 'result', attrs: {}, content: protocols.map((p) => ({ tag: p, attrs: {} })) },
        { tag: 'list', attrs: {}, content: users },
      ],
    },
  ])
}

function groupNode(ctx: IqContext, group: GroupRecord): BinaryNode {
  const creator = ctx.directory.accountByLid(group.creatorLid)
  const participants: BinaryNode[] = []
  for (const lid of group.members) {
    const member = ctx.directory.accountByLid(lid)
    if (!member) continue
    const attrs: Record<string, string> = { jid: `${lid}@lid`, phone_number: `${member.pn}${SERVER}` }
    if (lid === group.creatorLid) attrs.type = 'superadmin'
    participants.push({ tag: 'participant', attrs })
  }
  const attrs: Record<string, string> = {
    id: group.id,
    subject: group.subject,
    s_t: String(group.creation),
    creation: String(group.creation),
    creator: `${group.creatorLid}@lid`,
    addressing_mode: 'lid',
    size: String(participants.length),
  }
  if (creator) attrs.creator_pn = `${creator.pn}${SERVER}`
  return { tag: 'group', attrs, content: participants }
}

function handleGroups(ctx: IqContext, account: AccountRecord, req: BinaryNode, child: BinaryNode | undefined): BinaryNode {
  if (child?.tag === 'create') {
    const members: AccountRecord[] = []
    for (const p of getBinaryNodeChildren(child, 'participant')) {
      const decoded = jidDecode(p.attrs.jid ?? '')
      const member = decoded?.user ? ctx.directory.accountByUser(decoded.user, decoded.server) : undefined
      if (member) members.push(member)
    }
    const group = ctx.directory.createGroup(child.attrs.subject ?? '', account, members)
    ctx.persist()
    return result(req, [groupNode(ctx, group)])
  }
  if (child?.tag === 'participating') {
    return result(req, [{ tag: 'groups', attrs: {}, content: ctx.directory.groupsOf(account).map((g) => groupNode(ctx, g)) }])
  }
  if (child?.tag === 'query') {
    const group = ctx.directory.group(jidDecode(req.attrs.to ?? '')?.user ?? '')
    if (!group || !group.members.includes(account.lid)) return errorReply(req, 404, 'item-not-found')
    return result(req, [groupNode(ctx, group)])
  }
  ctx.log.warn('unsupported group iq answered with an empty result', { child: child?.tag })
  return result(req)
}
