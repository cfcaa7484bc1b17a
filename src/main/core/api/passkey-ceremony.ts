// The two ends of a passkey ceremony link (src/shared/passkey-ceremony.ts), for whatever runs the
// WebAuthn call on https://web.whatsapp.com: the browser helper through the headless server's
// GET/POST /api/passkey-ceremony/<token>, or the desktop app's ceremony window through its local
// protocol handler. The token is the only credential: it names its account, and the server that runs
// that account checks it (through the dispatcher, so a fleet forwards it there). Main process,
// Electron-free. Never log tokens or credentials. docs/passkey-linking.md, "The ceremony".

import { timingSafeEqual } from 'node:crypto'
import type { ActivityActor, Result } from '../../../shared/contract'
import type { ErrorInfo } from '../../../shared/errors'
import type { AccountId } from '../../../shared/ids'
import type { CeremonyAnswer, CeremonyOptions, PasskeyRequestOptions } from '../../../shared/passkey'
import { ceremonyAccount, parseCeremonyUrl } from '../../../shared/passkey-ceremony'
import { Caller } from '../access/caller'
import type { Dispatch } from './dispatch'

export interface CeremonyDesk {
  options(token: string): Promise<Result<CeremonyOptions>>
  answer(token: string, credential: unknown): Promise<Result<CeremonyAnswer>>
}

const NOT_A_LINK: ErrorInfo = { code: 'invalid-input', message: 'This is not a passkey ceremony link: open the link from the pairing dialog.' }
const STALE: ErrorInfo = {
  code: 'not-found',
  message: 'This passkey link is not valid any more (used, expired, or replaced by a newer one). Open the current link from the pairing dialog.',
}

/** The audit trail's name for whoever holds a ceremony link. */
export const CEREMONY_ACTOR = 'passkey-link'

export function createCeremonyDesk(deps: { dispatch: Dispatch; now?: () => number; via?: ActivityActor }): CeremonyDesk {
  const { dispatch } = deps
  const now = deps.now ?? Date.now
  const via = deps.via ?? 'ui'
  // The link is the only credential, and it names one account: its holder may do what an operator may,
  // on that account alone (any other id is not-found).
  const linkHolder = (id: string): Caller => new Caller(via, { name: CEREMONY_ACTOR, role: 'operator', accounts: new Set([id as AccountId]) })

  return {
    async options(token) {
      const id = ceremonyAccount(token)
      if (!id) return { ok: false, error: NOT_A_LINK }
      const state = await dispatch('accounts:pairing', { id }, linkHolder(id))
      if (!state.ok) return state.error.code === 'not-found' ? { ok: false, error: STALE } : state
      const passkey = (state.value as { passkey?: unknown }).passkey as { phase: string; options: PasskeyRequestOptions; ceremonyUrl: string; expiresAt: number } | null
      if (passkey?.phase !== 'required' || passkey.expiresAt <= now()) return { ok: false, error: STALE }
      const current = parseCeremonyUrl(passkey.ceremonyUrl)?.token
      if (!current || !sameToken(current, token)) return { ok: false, error: STALE }
      return { ok: true, value: { options: passkey.options, expiresAt: passkey.expiresAt } }
    },

    async answer(token, credential) {
      const id = ceremonyAccount(token)
      if (!id) return { ok: false, error: NOT_A_LINK }
      const state = await dispatch('accounts:passkey-response', { id, credential, ceremonyToken: token }, linkHolder(id))
      if (!state.ok) return state
      const phase = (state.value as { passkey?: { phase?: string } | null }).passkey?.phase
      return { ok: true, value: { accepted: true, confirm: phase === 'confirm' } }
    },
  }
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}
