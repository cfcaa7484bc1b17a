// The few extension APIs the helper uses, typed here (no @types/chrome dependency for four calls).
// Chromium's MV3 promise-returning forms: https://developer.chrome.com/docs/extensions/reference/api

declare namespace chrome {
  namespace runtime {
    const id: string
    interface MessageSender {
      id?: string
      url?: string
      origin?: string
      tab?: { id?: number }
    }
    function sendMessage<T = unknown>(message: unknown): Promise<T>
    function getURL(path: string): string
    const onMessage: {
      addListener(callback: (message: unknown, sender: MessageSender, sendResponse: (response: unknown) => void) => boolean | void): void
    }
  }
  namespace permissions {
    function contains(permissions: { origins: string[] }): Promise<boolean>
    function request(permissions: { origins: string[] }): Promise<boolean>
  }
  namespace tabs {
    function create(properties: { url: string }): Promise<unknown>
  }
}
