// Draws a QR payload as an image. The PNG is built in the page and shown as a data: URL, which the
// CSP allows for images (img-src 'self' data:); nothing leaves the page to render it. The QR encoder is
// loaded with the first code to draw, not with the page.

import { useEffect, useState } from 'react'

export function QrImage({ payload, alt }: { payload: string; alt: string }) {
  const [src, setSrc] = useState<{ payload: string; url: string } | null>(null)
  const [failed, setFailed] = useState(false)

  useEffect(() => {
    let current = true
    setFailed(false)
    import('qrcode')
      .then(({ default: QRCode }) => QRCode.toDataURL(payload, { errorCorrectionLevel: 'L', margin: 2, width: 264, color: { dark: '#111111', light: '#ffffff' } }))
      .then((url) => {
        if (current) setSrc({ payload, url })
      })
      .catch(() => {
        if (current) setFailed(true)
      })
    return () => {
      current = false
    }
  }, [payload])

  if (failed) {
    return (
      <p className="inline-error" role="alert">
        The QR code could not be drawn. Close this dialog and try again.
      </p>
    )
  }
  // Keep the previous code on screen until the new one is drawn, so a rotation never flashes empty.
  if (!src) return <div className="qr-placeholder" aria-hidden="true" />
  return <img className="qr-image" src={src.url} alt={alt} width={264} height={264} />
}
