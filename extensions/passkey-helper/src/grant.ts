// The helper's page that asks Chrome for the permission to talk to one Irish server (a user gesture on
// an extension page is the only place chrome.permissions.request may run).

import { serverOrigin } from '../../../src/shared/passkey-ceremony'
import { originPattern } from './relay'

const server = serverOrigin(new URLSearchParams(location.search).get('server') ?? '')
const status = document.getElementById('status')!
const allow = document.getElementById('allow') as HTMLButtonElement
document.getElementById('server')!.textContent = server ?? '(not a server address)'
allow.disabled = server === null

allow.addEventListener('click', () => {
  if (!server) return
  chrome.permissions.request({ origins: [originPattern(server)] }).then(
    (granted) => {
      status.textContent = granted
        ? 'Allowed. Go back to the WhatsApp Web tab and press Continue.'
        : 'Not allowed. The helper cannot hand your answer to this server.'
    },
    (error: unknown) => (status.textContent = error instanceof Error ? error.message : 'Chrome did not ask.'),
  )
})
