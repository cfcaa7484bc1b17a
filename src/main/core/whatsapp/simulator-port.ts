// The core's view of a WhatsApp simulator running in this process (src/simulator): its endpoint, and
// the phone it can play for simulator:scan and simulator:enter-code. Main process, Electron-free.
// Only the shells that embed a simulator (server/cli.ts, electron/index.ts) build one: the core never
// imports the simulator itself.

/** Plays the phone for a QR code or a linking code; present when a simulator runs in this process. */
export interface SimulatorPort {
  url: string
  rootKeyHex: string
  adminUrl: string | null
  scanQr(qr: string): Promise<{ jid: string; lid: string }>
  /** Plays a person typing a linking code on the phone with this number (digits). */
  enterLinkCode(phone: string, code: string): Promise<{ jid: string; lid: string }>
}
