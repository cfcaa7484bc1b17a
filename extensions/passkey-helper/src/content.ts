// The helper's content script, on https://web.whatsapp.com/* at document_start. It acts only on a page
// opened with an Irish ceremony link (#irish-passkey=…&server=…): it takes the link out of the address
// before the page's own scripts run, asks the service worker for the options, runs
// navigator.credentials.get with them on this origin (which WhatsApp's rpId requires), and hands the
// answer back to the service worker. It never fetches anything itself and never reads the page.

import { describeWebAuthnError, getAssertion } from '../../../src/renderer/src/ceremony/webauthn-get'
import { parseCeremonyUrl, type CeremonyLink } from '../../../src/shared/passkey-ceremony'
import { createBanner, type Banner } from './banner'
import type { HelperReply, HelperRequest } from './messages'

async function ask(request: HelperRequest): Promise<HelperReply> {
  try {
    return await chrome.runtime.sendMessage<HelperReply>(request)
  } catch {
    return { kind: 'error', message: 'The passkey helper stopped. Reload this page to try again.' }
  }
}

function failure(reply: HelperReply): string {
  return reply.kind === 'error' ? reply.message : 'The passkey helper got an answer it did not expect.'
}

async function run(link: CeremonyLink, banner: Banner): Promise<void> {
  const retry = { label: 'Try again', onClick: () => void run(link, banner) }
  banner.show('busy', 'Asking Irish for the passkey request…')
  const reply = await ask({ type: 'options', link })
  if (reply.kind === 'needs-permission') {
    banner.show('action', `Let the helper talk to your Irish server at ${reply.server}, then continue here.`, [
      { label: 'Allow…', onClick: () => void ask({ type: 'grant', server: reply.server }) },
      { label: 'Continue', onClick: () => void run(link, banner) },
    ])
    return
  }
  if (reply.kind !== 'options') {
    // A used, stale or foreign link stays so: only a new link from the dialog helps.
    banner.show('failed', failure(reply))
    return
  }
  banner.show('busy', "Follow your device's prompt to use the passkey of the account you are linking.")
  let credential: PublicKeyCredentialJSON
  try {
    credential = await getAssertion(reply.options)
  } catch (error) {
    banner.show('failed', describeWebAuthnError(error), [retry])
    return
  }
  banner.show('busy', 'Sending your answer to WhatsApp through Irish…')
  const answer = await ask({ type: 'answer', link, credential })
  if (answer.kind !== 'answered') {
    banner.show('failed', failure(answer))
    return
  }
  banner.show('done', 'Done. Go back to Irish and check that the code it shows matches the one on your phone. You can close this tab.')
}

const link = parseCeremonyUrl(location.hash)
if (link) {
  history.replaceState(history.state, '', `${location.pathname}${location.search}`)
  void run(link, createBanner())
}
