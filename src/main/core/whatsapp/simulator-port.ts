// The core's view of a WhatsApp simulator running in this process (src/simulator): its endpoint, the
// phone it can play for simulator:scan and simulator:enter-code, and the demo authenticator it holds
// for phones that need a passkey (simulator:authenticate). Main process, Electron-free. Only the edge
// that embeds a simulator (src/main/embedded-simulator.ts) builds one: the core never imports the
// simulator itself.

import type { PasskeyCredential, PasskeyRequestOptions } from '../../../shared/passkey'

/** What playing the phone led to: linked, or WhatsApp asked for a passkey check and linking goes on. */
export type SimulatedLink = { jid: string; lid: string } | { passkey: 'required' }

/** Plays the phone for a QR code or a linking code; present when a simulator runs in this process. */
export interface SimulatorPort {
  url: string
  rootKeyHex: string
  adminUrl: string | null
  /** With `passkey`, a new phone whose passkey the demo authenticator holds scans the code. */
  scanQr(qr: string, options?: { passkey?: boolean }): Promise<SimulatedLink>
  /**
   * Plays a person typing a linking code on the phone with this number (digits). With `passkey`, the
   * phone first gets a passkey the demo authenticator holds.
   */
  enterLinkCode(phone: string, code: string, options?: { passkey?: boolean }): Promise<SimulatedLink>
  /** The demo authenticator's assertion for these options, or null when it holds none of their credentials. */
  authenticate(options: PasskeyRequestOptions): PasskeyCredential | null
}
