// What the helper shows on the WhatsApp Web page while it works: one card at the top, in a shadow root
// so the page's styles leave it alone (open: it says nothing the page may not read, and tests and
// screen readers read it). Text and buttons only.

export type BannerState = 'busy' | 'action' | 'done' | 'failed'

export interface BannerButton {
  label: string
  onClick: () => void
}

export interface Banner {
  show(state: BannerState, text: string, buttons?: BannerButton[]): void
}

const STYLE = `
  :host { all: initial; }
  .card {
    position: fixed; top: 16px; left: 50%; transform: translateX(-50%); z-index: 2147483647;
    width: min(32rem, calc(100vw - 32px)); box-sizing: border-box; padding: 16px 20px;
    font: 15px/1.5 system-ui, sans-serif; color: #10231a; background: #ffffff;
    border: 2px solid #1f7a4d; border-radius: 12px; box-shadow: 0 8px 24px rgba(0, 0, 0, 0.2);
  }
  .card[data-state='failed'] { border-color: #b3261e; }
  .card[data-state='done'] { border-color: #1f7a4d; background: #eef8f2; }
  h2 { margin: 0 0 4px; font-size: 15px; font-weight: 700; }
  p { margin: 0; }
  .buttons { display: flex; gap: 8px; margin-top: 12px; flex-wrap: wrap; }
  button {
    font: inherit; padding: 6px 14px; border-radius: 8px; cursor: pointer;
    border: 1px solid #1f7a4d; background: #1f7a4d; color: #ffffff;
  }
  button + button { background: #ffffff; color: #1f7a4d; }
`

export function createBanner(doc: Document = document): Banner {
  const host = doc.createElement('irish-passkey-helper')
  const root = host.attachShadow({ mode: 'open' })
  const style = doc.createElement('style')
  style.textContent = STYLE
  const card = doc.createElement('section')
  card.className = 'card'
  card.setAttribute('aria-label', 'Irish passkey helper')
  const title = doc.createElement('h2')
  title.textContent = 'Irish passkey helper'
  const message = doc.createElement('p')
  message.setAttribute('role', 'status')
  message.setAttribute('aria-live', 'polite')
  const buttons = doc.createElement('div')
  buttons.className = 'buttons'
  card.append(title, message, buttons)
  root.append(style, card)
  // At document_start there is no body yet; the root element is there.
  doc.documentElement.append(host)

  return {
    show(state, text, list = []) {
      card.dataset.state = state
      message.textContent = text
      buttons.replaceChildren(
        ...list.map((entry) => {
          const button = doc.createElement('button')
          button.type = 'button'
          button.textContent = entry.label
          button.addEventListener('click', entry.onClick)
          return button
        }),
      )
    },
  }
}
