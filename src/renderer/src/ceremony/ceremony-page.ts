// The desktop app's passkey ceremony page (ceremony.html). It runs in a window of its own session
// partition on https://web.whatsapp.com, where the app answers every request locally
// (src/main/electron/passkey-ceremony.ts): nothing reaches WhatsApp's site. It reads the ceremony token
// from the URL fragment and GETs the options at once (a stale link says so before anyone reaches for a
// key); "Use the passkey" runs the prompt and POSTs the assertion, on the same routes as the headless
// server's (src/shared/passkey-ceremony.ts). Browser only; no Node, no bridge.

import { createCeremonyClient } from '../../../shared/api-client'
import { parseCeremonyUrl } from '../../../shared/passkey-ceremony'
import { describeWebAuthnError, getAssertion } from './webauthn-get'
import './ceremony-page.css'

const client = createCeremonyClient({ baseUrl: location.origin })

const status = document.getElementById('status')!
const use = document.getElementById('use') as HTMLButtonElement

function say(text: string, state: 'busy' | 'ready' | 'done' | 'failed'): void {
  status.textContent = text
  document.body.dataset.state = state
}

/** Reads the request; the button runs it. */
async function prepare(token: string): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
  say('Asking Irish for the passkey request…', 'busy')
  try {
    const { options } = await client.options(token)
    say('Ready. Press “Use the passkey”, then follow your device’s prompt.', 'ready')
    use.hidden = false
    return options
  } catch (error) {
    say(error instanceof Error ? error.message : 'The passkey request could not be read.', 'failed')
    return null
  }
}

async function answer(token: string, options: PublicKeyCredentialRequestOptionsJSON): Promise<void> {
  use.disabled = true
  say("Follow your device's prompt to use the passkey of the account you are linking.", 'busy')
  let credential: PublicKeyCredentialJSON
  try {
    credential = await getAssertion(options)
  } catch (error) {
    say(`${describeWebAuthnError(error)} Press “Use the passkey” to try again.`, 'failed')
    use.disabled = false
    return
  }
  say('Sending your answer to WhatsApp…', 'busy')
  try {
    const result = await client.answer(token, credential)
    use.hidden = true
    say(
      result.confirm
        ? 'Done. Go back to Irish and check that the code it shows matches the one on your phone.'
        : 'Done. Go back to Irish: it shows a code to compare with your phone in a moment.',
      'done',
    )
    window.close()
  } catch (error) {
    use.hidden = true
    say(error instanceof Error ? error.message : 'The answer could not be sent.', 'failed')
  }
}

const link = parseCeremonyUrl(location.hash)
// The token is spent once used; it has no business in the window's history either way.
history.replaceState(null, '', location.pathname)
if (link) {
  void prepare(link.token).then((options) => {
    if (options) use.addEventListener('click', () => void answer(link.token, options))
  })
} else {
  say('This window was opened without a passkey link. Close it and start again from the pairing dialog.', 'failed')
}
