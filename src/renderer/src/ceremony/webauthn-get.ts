// The one WebAuthn call of a passkey ceremony, for a page on https://web.whatsapp.com: the desktop
// app's ceremony page (ceremony-page.ts) and the browser helper's content script
// (extensions/passkey-helper) both run it. WhatsApp's options arrive as JSON
// (PublicKeyCredentialRequestOptionsJSON), the assertion leaves as PublicKeyCredential.toJSON().
// Browser only (DOM); no network: the caller fetches and posts.

/** Chromium 129, Firefox 119 and Safari 18.4 read and write WebAuthn JSON themselves. */
export function webAuthnJsonSupported(): boolean {
  return typeof PublicKeyCredential !== 'undefined' && typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function'
}

/** Runs navigator.credentials.get with `options` and answers the assertion's JSON. */
export async function getAssertion(options: PublicKeyCredentialRequestOptionsJSON, signal?: AbortSignal): Promise<PublicKeyCredentialJSON> {
  if (!webAuthnJsonSupported()) {
    throw new Error('This browser cannot run a passkey request from its JSON form: use a current Chrome, Edge, Firefox or Safari.')
  }
  const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options)
  const credential = await navigator.credentials.get({ publicKey, ...(signal ? { signal } : {}) })
  if (!(credential instanceof PublicKeyCredential)) throw new Error('The browser answered without a passkey.')
  return credential.toJSON()
}

/** What went wrong with the prompt, for a person (WebAuthn reports it by the error's name). */
export function describeWebAuthnError(error: unknown): string {
  const name = error instanceof DOMException || error instanceof Error ? error.name : ''
  switch (name) {
    case 'NotAllowedError':
      return 'The passkey prompt was closed, timed out, or found no passkey for this account on this device.'
    case 'SecurityError':
      return "This page may not use WhatsApp's passkeys: it must be https://web.whatsapp.com."
    case 'AbortError':
      return 'The passkey prompt was stopped.'
    case 'InvalidStateError':
    case 'NotSupportedError':
      return 'This device or browser cannot use this passkey.'
    default:
      return error instanceof Error && error.message ? error.message : 'The passkey prompt failed.'
  }
}
