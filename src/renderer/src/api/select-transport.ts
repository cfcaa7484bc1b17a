// Picks the transport once, at start-up: inside Electron the preload has put window.irish on the page;
// in a plain browser the page was served by the headless server, so the API is on the same origin.

import { createHttpTransport } from './http-transport'
import { createIpcTransport } from './ipc-transport'
import { takeTokenFromLocation } from './token'
import type { Transport } from './transport'

export function selectTransport(): Transport {
  if (window.irish) return createIpcTransport(window.irish)
  return createHttpTransport({ baseUrl: window.location.origin, initialToken: takeTokenFromLocation() })
}
