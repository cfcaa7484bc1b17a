// Domain facts about pairing, shared by every process: no electron, no node:*, no DOM.
// Two methods a person chooses, behind one pairing state: QR (the phone scans rotating codes) and code
// (a person types an 8-character code in WhatsApp's "Link with phone number" screen). A third, passkey,
// is never chosen: WhatsApp asks for it after either, for some accounts (docs/passkey-linking.md).

import { z } from 'zod'

export const PAIRING_METHODS = [
  /** The phone scans the QR codes the account shows as they rotate. */
  'qr',
  /** A person types the account's code on the phone ("Link with phone number instead"). */
  'code',
  /**
   * WhatsApp asked for a passkey check after the scan or the code: the pairing state's `passkey` says
   * what the person does now. Shown while the check is under way; the chosen method comes back after.
   */
  'passkey',
] as const
export const PairingMethodSchema = z.enum(PAIRING_METHODS)
export type PairingMethod = z.infer<typeof PairingMethodSchema>
/** The methods a person starts pairing with. */
export type ChosenPairingMethod = Exclude<PairingMethod, 'passkey'>

/**
 * A phone number in international format, as people write it: spaces, dashes, dots, brackets and a
 * leading + are dropped. Country code included, no leading zeros: WhatsApp numbers have 7 to 15 digits.
 */
export const PhoneNumberSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/^\+/, '').replace(/[\s().-]/g, ''))
  .pipe(z.string().regex(/^[1-9]\d{6,14}$/, 'Give the phone number in international format, with its country code (for example +49 151 2345 6789).'))

/** How WhatsApp shows a linking code, and how the phone's screen asks for it: XXXX-XXXX. */
export function formatPairingCode(code: string): string {
  const bare = code.replace(/-/g, '').toUpperCase()
  return bare.length === 8 ? `${bare.slice(0, 4)}-${bare.slice(4)}` : bare
}

/** Where the person types the code on the phone (WhatsApp's own wording). */
export const PHONE_MENU_PATH = ['Settings', 'Linked devices', 'Link a device', 'Link with phone number instead'] as const
