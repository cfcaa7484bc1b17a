// Each view's heading. It takes the focus when the view changes, so keyboard and screen-reader users
// land at the top of what they just opened instead of on a button that no longer exists.

import { useEffect, useRef, type ReactNode } from 'react'

export function ViewHeading({ children }: { children: ReactNode }) {
  const ref = useRef<HTMLHeadingElement>(null)
  useEffect(() => {
    // Not on the very first load: the page's natural focus order starts at the top already.
    if (document.body.dataset.navigated === 'true') ref.current?.focus()
  }, [])
  return (
    <h2 id="main-heading" ref={ref} tabIndex={-1} className="view-title">
      {children}
    </h2>
  )
}
