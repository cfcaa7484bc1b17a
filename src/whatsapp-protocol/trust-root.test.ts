import { WA_CERT_DETAILS } from '@whiskeysockets/baileys'
import { afterEach, describe, expect, it } from 'vitest'
import { isAppError } from '../shared/errors'
import { restoreDefaultRoot, trustedRoot, trustWhatsAppRoot } from './trust-root'

const WHATSAPP_ROOT = '142375574d0a587166aae71ebe516437c4a28b73e3695c6ce1f7f9545da8ee6b'

describe('trust', () => {
  afterEach(() => restoreDefaultRoot())

  it('leaves Baileys on the WhatsApp root until told otherwise', () => {
    expect(trustedRoot()).toBeNull()
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex')).toBe(WHATSAPP_ROOT)
  })

  it('sets and restores the root Baileys verifies against', () => {
    const key = 'AB'.repeat(32)
    trustWhatsAppRoot(key)
    expect(trustedRoot()).toBe(key.toLowerCase())
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex')).toBe(key.toLowerCase())
    restoreDefaultRoot()
    expect(trustedRoot()).toBeNull()
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex')).toBe(WHATSAPP_ROOT)
  })

  it.each(['', 'ab', 'zz'.repeat(32), 'ab'.repeat(33), ` ${'ab'.repeat(32)}`])('rejects %j without touching Baileys', (bad) => {
    let caught: unknown
    try {
      trustWhatsAppRoot(bad)
    } catch (err) {
      caught = err
    }
    expect(isAppError(caught) && caught.code).toBe('invalid-input')
    expect(trustedRoot()).toBeNull()
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).toString('hex')).toBe(WHATSAPP_ROOT)
  })
})
