// The helper's service worker: Chromium's wiring around relay.ts. It talks to the Irish server a
// ceremony link names, and to nothing else, with the host permission the person granted for it.

import { createRelay, originPattern } from './relay'

const relay = createRelay({
  extensionId: chrome.runtime.id,
  fetch: (input, init) => fetch(input, init),
  hasPermission: (origin) => chrome.permissions.contains({ origins: [originPattern(origin)] }),
  openGrantPage: async (server) => {
    await chrome.tabs.create({ url: chrome.runtime.getURL(`grant.html?server=${encodeURIComponent(server)}`) })
  },
})

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  relay(message, sender).then(sendResponse, (error: unknown) => sendResponse({ kind: 'error', message: error instanceof Error ? error.message : 'The passkey helper failed.' }))
  // The answer comes asynchronously.
  return true
})
