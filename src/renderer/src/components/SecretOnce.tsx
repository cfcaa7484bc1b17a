// A secret the server shows this once (a webhook's signing secret, a new API token), with a copy button.
// Where the clipboard is refused (an insecure origin, a denied permission) the secret stays selectable.
// It takes the focus when shown, which scrolls it into view: never left below the fold.

import { useEffect, useRef, useState, type ReactNode } from 'react'

export function SecretOnce({ label, secret, copyLabel, children }: { label: string; secret: string; copyLabel: string; children: ReactNode }) {
  const [copied, setCopied] = useState<'copied' | 'refused' | null>(null)
  const boxRef = useRef<HTMLDivElement>(null)
  useEffect(() => {
    boxRef.current?.focus()
  }, [secret])
  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(secret)
      setCopied('copied')
    } catch {
      setCopied('refused')
    }
  }
  return (
    <div className="notice" role="region" aria-label={label} tabIndex={-1} ref={boxRef}>
      <p>{children}</p>
      <p className="form-actions">
        <code className="secret-once">{secret}</code>
        <button type="button" onClick={() => void copy()}>
          {copyLabel}
        </button>
      </p>
      {copied && (
        <p role="status" className="copy-note">
          {copied === 'copied' ? 'Copied.' : `Copying is not allowed here: select it and copy it.`}
        </p>
      )}
    </div>
  )
}
