// The WhatsApp endpoint override from the environment: IRISH_WHATSAPP_URL with IRISH_WHATSAPP_ROOT_KEY
// (the hex root the endpoint's certificate chain is trusted under). Both or neither. Read only when a
// shell calls this, never at import.

import { AppError } from '../../../shared/errors'

export function whatsappOverrideFromEnv(env: Readonly<Record<string, string | undefined>>): { url: string; trustedRootKey: string } | null {
  const url = env.IRISH_WHATSAPP_URL || undefined
  const root = env.IRISH_WHATSAPP_ROOT_KEY || undefined
  if (!url && !root) return null
  if (!url || !root) {
    throw new AppError('invalid-input', 'Set IRISH_WHATSAPP_URL and IRISH_WHATSAPP_ROOT_KEY together, or neither.')
  }
  if (!/^wss?:\/\//.test(url)) throw new AppError('invalid-input', 'IRISH_WHATSAPP_URL must be a ws:// or wss:// URL.')
  if (!/^[0-9a-fA-F]{64}$/.test(root)) throw new AppError('invalid-input', 'IRISH_WHATSAPP_ROOT_KEY must be 64 hex characters.')
  return { url, trustedRootKey: root.toLowerCase() }
}
