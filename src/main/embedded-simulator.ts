// The edge where the app meets a simulator running in its own process (the server's --simulator, the
// desktop app's IRISH_SIMULATOR=1, and the tests that drive a core): the core's SimulatorPort over a
// started simulator. Besides the phone, it holds a demo authenticator: a software passkey per phone it
// gave one to, in memory only (a restart forgets the keys; the simulator keeps the public halves in its
// state file, so those phones need a new demo phone or the admin API's DELETE /passkey).
// Node only, never Electron. The only app file besides the two shells that imports the simulator.

import { randomInt } from 'node:crypto'
import { createSoftPasskey, type PairedAccount, type ScanOptions, type Simulator, type SoftPasskey } from '../simulator/index'
import type { SimulatedLink, SimulatorPort } from './core/whatsapp/simulator-port'

type Linking = (onPasskeyRequired: NonNullable<ScanOptions['onPasskeyRequired']>) => Promise<PairedAccount>

/**
 * Resolves once linked, or as soon as WhatsApp asks for the passkey check (the linking goes on, and
 * ends in the pairing state: connected, or the failed check).
 */
function linkedOrPasskey(link: Linking): Promise<SimulatedLink> {
  return new Promise((resolve, reject) => {
    link(() => resolve({ passkey: 'required' })).then(({ jid, lid }) => resolve({ jid, lid }), reject)
  })
}

export function embeddedSimulatorPort(sim: Simulator, adminUrl: string | null): SimulatorPort {
  const keys = new Map<string, SoftPasskey>()

  function givePasskey(phone: string): void {
    const passkey = createSoftPasskey()
    sim.registerPasskey(phone, passkey.registration)
    keys.set(passkey.credentialId, passkey)
  }

  /** A number the simulator has not seen: the demo's passkey phones are new every time. */
  function newPhone(): string {
    const taken = new Set(sim.accounts().map((a) => a.jid.split('@')[0]))
    for (;;) {
      const phone = `1555${String(randomInt(0, 10_000_000)).padStart(7, '0')}`
      if (!taken.has(phone)) return phone
    }
  }

  return {
    url: sim.url,
    rootKeyHex: sim.rootKeyHex,
    adminUrl,
    scanQr(qr, options = {}) {
      if (!options.passkey) return linkedOrPasskey((onPasskeyRequired) => sim.scanQr(qr, { onPasskeyRequired }))
      const phone = newPhone()
      givePasskey(phone)
      return linkedOrPasskey((onPasskeyRequired) => sim.scanQr(qr, { phone, onPasskeyRequired }))
    },
    enterLinkCode(phone, code, options = {}) {
      if (options.passkey) givePasskey(phone)
      return linkedOrPasskey((onPasskeyRequired) => sim.enterLinkCode(phone, code, { onPasskeyRequired }))
    },
    authenticate(options) {
      const passkey = options.allowCredentials?.map((c) => keys.get(c.id)).find((p) => p !== undefined)
      return passkey ? passkey.assert(options) : null
    },
  }
}
