// Moves sessions between installs: export to a bundle (copy or move), export straight to another server,
// inspect a bundle, import a bundle or a Baileys folder. Main process, Electron-free.
//
// Safety rules (docs/moving-sessions.md; the bundle itself: docs/bundle-format.md):
// - One session must never run in two places (440 conflicts, "Bad MAC"). A move marks the account moved
//   here *before* the bundle leaves, and only a refused export puts it back.
// - A snapshot is taken with the socket closed and its writes landed, so creds and keys match.
// - An import is validated completely (format, passphrase, tag, shape, phone, conflicts) before the first
//   write. A replace swaps the account's store in one SQLite transaction. A new account's keys are written
//   under a fresh random id first and its row is inserted last: the row is the commit point, so a failed
//   import leaves no account (its keys are cleared; after a crash in between they stay orphaned under an
//   id nothing names, invisible and harmless).
// Never log or put into a message a passphrase, a token or key material.

import { randomBytes, randomUUID } from 'node:crypto'
import { jidDecode } from '@whiskeysockets/baileys'
import type { AccountStatus, AccountSummary, BundleInfo, TransferMode } from '../../../shared/contract'
import { BUNDLE_EXTENSION, isRunningStatus } from '../../../shared/domain'
import { AppError } from '../../../shared/errors'
import { cleanLabel } from '../../../shared/labels'
import type { AccountId } from '../../../shared/ids'
import { identityOf } from '../auth-store/identity'
import type { AuthSnapshot } from '../auth-store/types'
import { describeOlderState, olderState, olderStateError, type Seen, type SeenIdentities } from '../staleness/seen-identities'
import type { Logger } from '../logger'
import type { SessionManager } from '../sessions/session-manager'
import { readBaileysFolder } from './baileys-folder'
import { decodeBundle, encodeBundle, MAX_BUNDLE_BYTES, readBundleMetadata, type BundleMeta, type ScryptParams } from './bundle'
import { createHandOffProtocol, type CrashPoint } from './hand-off-protocol'
import type { HandOffJournal, IncomingHandOff, OutgoingHandOff } from './hand-off-journal'
import { parseRemoteServer, remoteAccounts, remoteIdentity, sendBundle, UncertainDeliveryError, type HandOffAction, type RemoteHandOffState } from './remote-server'

export { BUNDLE_EXTENSION }

export interface TransferServiceDeps {
  sessions: SessionManager
  /** Resolves once account rows changed so far are in the database (storage.settled). */
  settled?: () => Promise<void>
  logger: Logger
  appVersion: string
  /** This installation's id (loadInstanceId); a random one per process when not given. */
  instanceId?: string
  fetch?: typeof fetch
  now?: () => number
  /** Tests only: cheap key derivation (still within the reader's bounds). Production uses the default. */
  scrypt?: ScryptParams
  /** Where hand-offs to and from other servers are journaled; in memory only when not given (tests). */
  handOffJournal?: HandOffJournal
  /** Tests only: the process kills itself at this step of a hand-off, to prove recovery from it. */
  crashAt?: CrashPoint
  handOffRetry?: { baseMs: number; maxMs: number }
  /** The most writes seen per device: older state is refused (staleness/seen-identities.ts). Null in tests that move nothing twice. */
  seen?: SeenIdentities | null
}

export interface ExportResult {
  fileName: string
  bundle: string
  bytes: number
  meta: BundleInfo
  account: AccountSummary
}

export interface ImportOptions {
  replace?: boolean
  start?: boolean
  label?: string
  /** Server-to-server hand-off: held pending (not started) until the source confirms. */
  handOff?: { id: string; source: string }
  /** Import it even when it is older state than this store has seen of the device (after a warning). */
  allowOlder?: boolean
}

/** What the verified bundle says of the account it carries. */
interface Carried {
  /** Its id where it was exported: kept here when free. */
  accountId?: string | undefined
}

export interface TransferService {
  readonly instanceId: string
  /** `fileName`: the name the caller writes the file under, when it chose one; recorded in a move. */
  /** `includeProxy`: carry the account's proxy URL, password included, inside the encrypted bundle. */
  exportToFile(input: { id: AccountId; passphrase: string; mode: TransferMode; fileName?: string | undefined; includeProxy?: boolean | undefined }): Promise<ExportResult>
  exportToServer(input: {
    id: AccountId
    url: string
    token: string
    passphrase?: string
    replace?: boolean
    includeProxy?: boolean
  }): Promise<{ account: AccountSummary; remote: AccountSummary }>
  inspect(bundle: string | Uint8Array): Promise<{
    meta: BundleInfo
    existing: { id: AccountId; label: string; status: AccountStatus } | null
    older: { writes: number; seen: number; message: string } | null
  }>
  importBundle(input: ImportOptions & { bundle: string | Uint8Array; passphrase: string }): Promise<AccountSummary>
  importFolder(input: ImportOptions & { path: string }): Promise<AccountSummary>
  /** The target's side of a hand-off: status, confirm, abort. */
  settleIncoming(id: string, action: HandOffAction): Promise<{ state: RemoteHandOffState; account: AccountSummary | null }>
  /** Settles hand-offs left open by a crash, in the background. */
  resumeHandOffs(): void
  close(): void
}

export function createTransferService(deps: TransferServiceDeps): TransferService {
  const { sessions } = deps
  const log = deps.logger.child({ component: 'transfer' })
  const now = deps.now ?? Date.now
  const doFetch = deps.fetch ?? fetch
  const encodeOptions = deps.scrypt ? { scrypt: deps.scrypt } : {}
  // Imports run one at a time: two imports of one phone must not both see "no such account" and add two.
  let importQueue: Promise<unknown> = Promise.resolve()

  function account(id: AccountId): AccountSummary {
    const found = sessions.list().find((a) => a.id === id)
    if (!found) throw new AppError('not-found', `There is no account "${id}".`)
    return found
  }

  async function encode(snapshot: AuthSnapshot, summary: AccountSummary, passphrase: string, exportMode: TransferMode, includeProxy: boolean): Promise<Buffer> {
    const phone = phoneOf(snapshot) ?? summary.phone
    // Only when asked: a proxy usually belongs to the server, not to the account.
    const proxy = includeProxy ? await sessions.proxyUrlOf(summary.id) : null
    const device = identityOf(snapshot.creds)
    // The state that leaves is state this store has seen: a copy of it coming back older is refused.
    if (device !== null && snapshot.writes !== undefined) await deps.seen?.record(device, snapshot.writes, summary.id)
    return encodeBundle(
      {
        snapshot,
        ...(proxy !== null ? { proxy } : {}),
        // A label stored before the label rule may hold what the bundle writer refuses: cleaned, not fatal.
        meta: {
          ...(phone ? { accountPhone: `+${phone}` } : {}),
          accountName: exportLabel(summary),
          exportMode,
          appVersion: deps.appVersion,
          accountId: summary.id,
          ...(device !== null ? { device } : {}),
          ...(snapshot.writes !== undefined ? { writes: snapshot.writes } : {}),
        },
        passphrase,
      },
      encodeOptions,
    )
  }

  /** Older state than this store has seen of the device, or null. */
  async function olderThanSeen(device: string | null, writes: number | undefined): Promise<{ writes: number; seen: Seen } | null> {
    if (!deps.seen || device === null || writes === undefined) return null
    return olderState({ device, writes }, await deps.seen.seen(device))
  }

  /** Imports and hand-off steps run one at a time, so an abort cannot overtake the import it cancels. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = importQueue.then(work)
    importQueue = run.catch(() => undefined)
    return run
  }

  function adopt(snapshot: AuthSnapshot, options: ImportOptions & Carried & { fallbackLabel?: string; proxy?: string | null }): Promise<AccountSummary> {
    return serial(async () => {
      if (options.handOff) {
        // The same hand-off sent again (the source retried): it is already here.
        const already = handOffs.checkIncoming(options.handOff.id)
        if (already) return already
      }
      const phone = phoneOf(snapshot)
      if (!phone) {
        throw new AppError(
          'invalid-input',
          'This session was never linked to a phone (its creds have no "me"), so there is nothing to import. Pair it first where it came from.',
        )
      }
      const me = snapshot.creds.me
      const who = { phone, name: me?.name || me?.verifiedName || null }
      const existing = sessions.list().find((a) => a.phone === phone)
      // The id it carries is kept; one taken here by another device is a conflict naming both. These come
      // before the older-state check: a copy that would never be imported here need not be judged by age.
      const holder = options.accountId !== undefined ? sessions.list().find((a) => a.id === options.accountId) : undefined
      if (holder && holder.phone !== phone) throw idConflict(holder, options.accountId!, phone)
      if (existing && !options.replace) throw importConflict(existing)
      const device = identityOf(snapshot.creds)
      const older = await olderThanSeen(device, snapshot.writes)
      if (older && !options.allowOlder) throw olderStateError('bundle', device!, older)
      if (older) log.warn({ device, writes: older.writes, seen: older.seen.writes }, 'importing older state of a device, as asked')
      const fill = (store: { importSnapshot(s: AuthSnapshot): Promise<void> }): Promise<void> => store.importSnapshot(snapshot)
      const proxy = options.proxy ?? null
      // What the account held before it is replaced is state this store has seen.
      if (existing) await deps.seen?.remember(existing.id)
      let imported = existing
        ? await sessions.importSession({ replace: existing.id }, who, fill, proxy)
        : await sessions.importSession({ label: labelFor(options.label ?? options.fallbackLabel, phone), id: options.accountId as AccountId | undefined }, who, fill, proxy)
      if (device !== null && snapshot.writes !== undefined) await deps.seen?.record(device, snapshot.writes, imported.id)
      log.info({ account: imported.id, replaced: Boolean(existing) }, 'session imported')
      if (options.handOff) {
        handOffs.recordIncoming(options.handOff.id, options.handOff.source, imported, !existing)
        return imported
      }
      if (options.start !== false) {
        try {
          imported = await sessions.start(imported.id)
        } catch (error) {
          // The import stands; the account shows why it did not start.
          log.warn({ err: error, account: imported.id }, 'imported account did not start')
          imported = account(imported.id)
        }
      }
      return imported
    })
  }

  const instanceId = deps.instanceId ?? randomUUID()
  // Test instrumentation: SIGKILL, as an operator's kill -9 or a power cut would end it.
  const crashPoint = (point: CrashPoint): void => {
    if (deps.crashAt === point) process.kill(process.pid, 'SIGKILL')
  }
  const handOffs = createHandOffProtocol({
    sessions,
    journal: deps.handOffJournal ?? memoryJournal(),
    logger: deps.logger,
    fetch: doFetch,
    now,
    crashPoint,
    ...(deps.settled ? { settled: deps.settled } : {}),
    ...(deps.handOffRetry ? { retry: deps.handOffRetry } : {}),
  })

  return {
    instanceId,
    async exportToFile({ id, passphrase, mode, fileName: chosen, includeProxy }) {
      const fileName = chosen ?? bundleFileName(account(id), now())
      const bytes = await sessions.exportSession(id, mode === 'move' ? `file ${fileName}` : null, (snapshot, summary) =>
        encode(snapshot, summary, passphrase, mode, includeProxy === true),
      )
      log.info({ account: id, mode, bytes: bytes.length }, 'session exported to a bundle')
      return { fileName, bundle: bytes.toString('base64'), bytes: bytes.length, meta: toInfo(readBundleMetadata(bytes)), account: account(id) }
    },

    async exportToServer({ id, url, token, passphrase, replace, includeProxy }) {
      const server = parseRemoteServer(url)
      const current = account(id)
      // Everything the other server would refuse for predictable reasons is asked first, so a refusal
      // costs no interruption here. Itself first: exporting to this very server would stop the account
      // and then wait on its own import until the send times out.
      if ((await remoteIdentity(server, { fetch: doFetch, token })) === instanceId) {
        throw new AppError(
          'conflict',
          `${server.target} is this server itself. An account cannot be exported to the server it runs on; "${current.label}" was left as it was.`,
        )
      }
      const there = await remoteAccounts(server, { fetch: doFetch, token })
      const same = current.phone ? there.find((a) => a.phone === current.phone) : undefined
      if (same && isRunningStatus(same.status)) {
        throw new AppError(
          'conflict',
          `"${same.label}" (+${same.phone}) is already running on ${server.target}. Stop it there first; running both breaks the session.`,
        )
      }
      if (same && !replace) {
        throw new AppError(
          'conflict',
          `${server.target} already has "${same.label}" (+${same.phone}, ${same.status}). Sending replaces its keys there: choose replace if the copy here is the newest one.`,
        )
      }
      // The bundle only lives inside this one TLS request, so a random passphrase nobody sees is enough.
      const secret = passphrase ?? randomBytes(24).toString('base64url')
      // Journaled before anything changes here: a crash from now on is settled by resumeHandOffs.
      let record = handOffs.begin({ id: randomUUID(), accountId: id, target: server.target, token, wasRunning: isRunningStatus(current.status) })
      // A holder, not a `let`: the callback sets it, and the compiler does not track writes in callbacks.
      const outcome: { uncertain: UncertainDeliveryError | null } = { uncertain: null }
      let sent: AccountSummary | null
      try {
        sent = await sessions.exportSession(id, server.target, async (snapshot, summary) => {
          crashPoint('source:after-mark-moved')
          const bytes = await encode(snapshot, summary, secret, 'move', includeProxy === true)
          const body = { bundle: bytes.toString('base64'), passphrase: secret, start: false, label: exportLabel(summary), handOff: { id: record.id, source: instanceId } }
          try {
            return await sendBundle(server, { ...body, ...(replace ? { replace: true } : {}) }, { fetch: doFetch, token })
          } catch (error) {
            // Returning keeps the account marked moved: the other side may hold it already.
            if (error instanceof UncertainDeliveryError) {
              outcome.uncertain = error
              return null
            }
            throw error
          }
        })
      } catch (error) {
        // Refused clearly, or failed here before sending: the account is back as it was.
        handOffs.forget(record.id)
        throw error
      }
      if (sent === null) {
        log.warn({ account: id, target: server.target }, 'export to server: no answer after sending; settling in the background')
        handOffs.schedule(record)
        throw new AppError(
          'unavailable',
          `${server.target} did not answer after the bundle was sent (${outcome.uncertain?.message.match(/\(([^)]*)\)/)?.[1] ?? 'no answer'}). ` +
            'The account stays stopped and marked moved here, so it never runs twice, and this server settles the hand-off by itself as soon as the other one answers: it starts there, or comes back here.',
        )
      }
      record = handOffs.sent(record)
      try {
        const remote = (await handOffs.confirm(record)) ?? sent
        log.info({ account: id, target: server.target, remoteId: remote.id }, 'session moved to another server')
        return { account: account(id), remote }
      } catch (error) {
        log.warn({ err: error, account: id, target: server.target }, 'export to server: confirmation unanswered; settling in the background')
        handOffs.schedule(record)
        throw new AppError(
          'unavailable',
          `${server.target} has the account but did not confirm starting it. It stays marked moved here, and this server confirms the hand-off by itself as soon as the other one answers.`,
          { cause: error },
        )
      }
    },

    async inspect(bundle) {
      const meta = readBundleMetadata(bundleBytes(bundle))
      const phone = meta.accountPhone?.replace(/^\+/, '')
      const existing = phone ? sessions.list().find((a) => a.phone === phone) : undefined
      // From the metadata, a claim until the passphrase opens the bundle (the import checks again).
      const older = await olderThanSeen(meta.device ?? null, meta.writes)
      return {
        meta: toInfo(meta),
        // A label stored before the label rule may still hold what the rule refuses: shown cleaned.
        existing: existing ? { id: existing.id, label: cleanLabel(existing.label, existing.id), status: existing.status } : null,
        older: older ? { writes: older.writes, seen: older.seen.writes, message: describeOlderState('bundle', meta.device!, older) } : null,
      }
    },

    async importBundle({ bundle, passphrase, ...options }) {
      // decodeBundle checks everything (format, size, digest, passphrase, tag, payload) before returning.
      // The bytes are this import's alone (decoded from text here, or by the transport): decrypted in place.
      const { meta, snapshot, proxy } = await decodeBundle(bundleBytes(bundle), passphrase, { consume: true })
      return adopt(snapshot, {
        ...options,
        proxy,
        ...(meta.accountName ? { fallbackLabel: meta.accountName } : {}),
        ...(meta.accountId ? { accountId: meta.accountId } : {}),
      })
    },

    async importFolder({ path, ...options }) {
      return adopt(await readBaileysFolder(path), options)
    },

    settleIncoming(id, action) {
      return serial(() => handOffs.settleIncoming(id, action))
    },
    resumeHandOffs: () => handOffs.resume(),
    close: () => handOffs.close(),
  }
}

/** A bundle as a command carries it: base64 text, or bytes where the transport decoded it (the HTTP server). */
export function bundleBytes(bundle: string | Uint8Array): Buffer {
  if (typeof bundle === 'string') return bundleFromBase64(bundle)
  if (bundle.length > MAX_BUNDLE_BYTES) throw tooLarge(bundle.length)
  return Buffer.isBuffer(bundle) ? bundle : Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength)
}

function tooLarge(bytes: number): AppError {
  return new AppError('payload-too-large', `The file is ${(bytes / 2 ** 20).toFixed(1)} MiB; a session bundle can be at most ${MAX_BUNDLE_BYTES / 2 ** 20} MiB.`)
}

/** Strict base64 to bytes, with the size limit checked before decoding anything. */
export function bundleFromBase64(text: string): Buffer {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const decodedBytes = Math.floor((text.length * 3) / 4) - padding
  if (decodedBytes > MAX_BUNDLE_BYTES) throw tooLarge(decodedBytes)
  // Buffer.from skips characters it does not know; a file sent as text (not base64) must not half-decode.
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    throw new AppError('invalid-input', 'The bundle must be the file\'s bytes as base64. Choose the .irishbundle file itself.')
  }
  return Buffer.from(text, 'base64')
}

/** Digits of the phone the session is linked to, from creds.me (the truth; bundle metadata is a claim). */
function phoneOf(snapshot: AuthSnapshot): string | null {
  const id = snapshot.creds.me?.id
  const decoded = typeof id === 'string' ? jidDecode(id) : undefined
  if (decoded?.server === 'lid') {
    // A LID is a private per-account number, not a phone: stored as the phone it would name a number
    // nobody has, match no account, and be sent to by mistake.
    throw new AppError(
      'invalid-input',
      'This session\'s creds name a LID (an "@lid" id) where the phone number belongs, so they are damaged or were edited. Export it again from a working copy, or pair the phone again.',
    )
  }
  const user = decoded?.user
  return user && /^\d{5,20}$/.test(user) ? user : null
}

function importConflict(existing: AccountSummary): AppError {
  const who = `"${existing.label}" (+${existing.phone})`
  if (isRunningStatus(existing.status)) {
    return new AppError('conflict', `${who} is already running here. Stop it, or import with replace to put this copy in its place.`)
  }
  if (existing.status === 'moved') {
    return new AppError(
      'conflict',
      `${who} is here, marked moved to ${existing.movedTo?.target ?? 'another place'}. If this bundle is the copy that ran there (the newer one), import with replace to bring it back.`,
    )
  }
  return new AppError(
    'conflict',
    `${who} already exists here (${existing.status}). Importing an older copy over a newer one breaks its sessions (messages stop decrypting): import with replace only if this bundle is the newest copy.`,
  )
}

function idConflict(holder: AccountSummary, id: string, phone: string): AppError {
  return new AppError(
    'conflict',
    `The bundle's account ${id} (+${phone}) cannot keep its id here: ${id} is already "${holder.label}" (${holder.phone ? `+${holder.phone}` : 'not paired'}) on this server, another device. ` +
      'Nothing was imported. Remove or move that account first if the bundle is to take its place.',
  )
}

function labelFor(preferred: string | undefined, phone: string): string {
  return cleanLabel(preferred, `+${phone}`)
}

function exportLabel(summary: AccountSummary): string {
  return cleanLabel(summary.label, summary.phone ? `+${summary.phone}` : 'Account')
}

function bundleFileName(summary: AccountSummary, at: number): string {
  const who = summary.phone ?? summary.id
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `irish-${who}-${stamp}${BUNDLE_EXTENSION}`
}

/**
 * A bundle's metadata as the contract shows it (the CLI's inspect uses it without opening a core). Its
 * text is whatever the file says, shown in dialogs and terminals: cleaned by the label rule, so a
 * direction override cannot make one number read as another and nothing hides in a name.
 */
export function toInfo(meta: BundleMeta): BundleInfo {
  const shown = (text: string | undefined): string | null => (text === undefined ? null : cleanLabel(text, '') || null)
  // A Map, then fromEntries: a key type named "__proto__" stays data.
  const counts = new Map<string, number>()
  for (const [type, count] of Object.entries(meta.keyCounts)) {
    const name = cleanLabel(type, '?')
    counts.set(name, (counts.get(name) ?? 0) + count)
  }
  const keyCounts = Object.fromEntries(counts)
  return {
    version: meta.version,
    accountPhone: shown(meta.accountPhone),
    accountName: shown(meta.accountName),
    exportMode: meta.exportMode ?? null,
    exportedAt: meta.exportedAt,
    appVersion: cleanLabel(meta.appVersion, '(unreadable)'),
    keyCounts,
    accountId: meta.accountId ?? null,
    writes: meta.writes ?? null,
  }
}

/** A journal that lives as long as the process: for cores built without a data dir's journal (tests). */
function memoryJournal(): HandOffJournal {
  const outgoing = new Map<string, OutgoingHandOff>()
  const incoming = new Map<string, IncomingHandOff>()
  return {
    outgoing: () => [...outgoing.values()],
    saveOutgoing: (record) => void outgoing.set(record.id, record),
    deleteOutgoing: (id) => void outgoing.delete(id),
    incoming: (id) => incoming.get(id) ?? null,
    saveIncoming: (record) => void incoming.set(record.id, record),
    deleteIncoming: (id) => void incoming.delete(id),
    pruneAborted(before) {
      const old = [...incoming.values()].filter((record) => record.state === 'aborted' && record.at < before)
      for (const record of old) incoming.delete(record.id)
      return old.length
    },
  }
}
