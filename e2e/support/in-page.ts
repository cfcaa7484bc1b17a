// Small functions that run inside the page through page.evaluate(). The e2e code is type-checked with
// the Node project (tsconfig.node.json, no DOM library), so this module declares the little of the DOM
// it touches; the declarations are module-local and never leak into the Node code.

interface PageElement {
  contains(other: unknown): boolean
}
declare const document: {
  activeElement: unknown
  documentElement: { scrollWidth: number; clientWidth: number }
  querySelector(selector: string): { textContent: string | null } | null
}
declare const window: {
  sessionStorage: { getItem(key: string): string | null }
  localStorage: { length: number }
}
declare const navigator: { clipboard: { readText(): Promise<string> } }
declare function getComputedStyle(element: unknown): { outlineStyle: string; borderTopColor: string }

/** True when nothing sticks out sideways (no horizontal scrollbar). */
export function fitsWidth(): boolean {
  return document.documentElement.scrollWidth <= document.documentElement.clientWidth
}

export function containsFocus(node: unknown): boolean {
  return (node as PageElement).contains(document.activeElement)
}

export function outlineStyle(node: unknown): string {
  return getComputedStyle(node).outlineStyle
}

export function storedToken(): string | null {
  return window.sessionStorage.getItem('irish.apiToken')
}

export function localStorageSize(): number {
  return window.localStorage.length
}

export function readClipboard(): Promise<string> {
  return navigator.clipboard.readText()
}

/** Scrolls a scrollable element to its end (the accounts table's window). */
export function scrollToEnd(node: unknown): void {
  const element = node as { scrollTop: number; scrollHeight: number }
  element.scrollTop = element.scrollHeight
}

export function scrollToStart(node: unknown): void {
  ;(node as { scrollTop: number }).scrollTop = 0
}

/** Scrolls a scrollable element to `top` pixels. */
export function scrollTo(node: unknown, top: number): void {
  ;(node as { scrollTop: number }).scrollTop = top
}

/**
 * True once the element `selector` finds reads `text`: for page.waitForFunction with `polling: 'raf'`,
 * so a figure for the closing note is taken to the frame, not to Playwright's expect() polling steps.
 */
export function hasText({ selector, text }: { selector: string; text: string }): boolean {
  return document.querySelector(selector)?.textContent === text
}

/** The top border colour of each element, as [r, g, b] (the charts' legend swatches). */
export function borderColours(nodes: unknown[]): Array<[number, number, number]> {
  return nodes.map((node) => {
    const [r = 0, g = 0, b = 0] = (getComputedStyle(node).borderTopColor.match(/\d+(\.\d+)?/g) ?? []).map(Number)
    return [r, g, b]
  })
}

/** True when an element scrolls nothing sideways. */
export function noSidewaysScroll(node: unknown): boolean {
  const element = node as { scrollWidth: number; clientWidth: number }
  return element.scrollWidth <= element.clientWidth
}
