// What the helper's content script asks its service worker, and what comes back. The content script
// runs on https://web.whatsapp.com and only runs the WebAuthn call; the service worker alone talks to
// the Irish server (with the host permission the person granted it), so the page's origin never
// fetches a loopback or private address (Chromium's Local Network Access rules).

import type { CeremonyLink } from '../../../src/shared/passkey-ceremony'

export type HelperRequest =
  | { type: 'options'; link: CeremonyLink }
  | { type: 'answer'; link: CeremonyLink; credential: unknown }
  /** Opens the extension's page that asks the person to let the helper talk to this server. */
  | { type: 'grant'; server: string }

export type HelperReply =
  | { kind: 'options'; options: PublicKeyCredentialRequestOptionsJSON; expiresAt: number }
  | { kind: 'answered'; confirm: boolean }
  /** The person has not let the helper talk to this server yet. */
  | { kind: 'needs-permission'; server: string }
  | { kind: 'opened' }
  | { kind: 'error'; message: string }
