// Who a presented API token stands for, as the HTTP server and the event stream ask it. Node only. The
// server passes the core's token registry (core/tokens/token-registry.ts); a server with no registry
// (a test, a tool) accepts its own token alone.

import type { Identity } from '../core/access/caller'
import { tokenMatches } from './token'

export interface TokenAuthenticator {
  /** The identity `presented` stands for, or null (unknown, revoked, or none presented). */
  authenticate(presented: string | null): Promise<Identity | null>
  /** Called with each identity that stops being valid: its event streams are closed. */
  onRevoked(listener: (identity: Identity) => void): () => void
}

/** A server whose only token is its own: that token is the admin named `default`. */
export function singleTokenAuthenticator(token: string): TokenAuthenticator {
  const identity: Identity = { name: 'default', role: 'admin', accounts: null }
  return {
    authenticate: async (presented) => (tokenMatches(token, presented) ? identity : null),
    onRevoked: () => () => undefined,
  }
}
