// What the Electron preload adds to the page. Absent in a plain browser: that is how the UI tells
// the two transports apart (see api/select-transport.ts).

import type { IrishBridge } from '../../shared/bridge'

declare global {
  interface Window {
    irish?: IrishBridge
  }
}

export {}
