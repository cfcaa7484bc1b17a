// Session bundle files in the page: read a chosen file as base64 for transfer:inspect and transfer:import,
// and save an exported bundle through an ordinary download (a Blob URL on an <a download>), which works
// under the strict CSP: no inline script, no data: navigation, nothing leaves the page but the file.
import { MAX_BUNDLE_BYTES } from '../../../shared/channels'

/**
 * The largest bundle the core accepts. Checked before reading, so a wrong multi-gigabyte file is never
 * loaded into memory; the core checks again and has the last word.
 */
export const MAX_BUNDLE_FILE_BYTES = MAX_BUNDLE_BYTES

export { BUNDLE_EXTENSION } from '../../../shared/domain'

/** A file's bytes as base64 (without the data: URL prefix). */
export function readFileAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = typeof reader.result === 'string' ? reader.result : ''
      const comma = url.indexOf(',')
      resolve(comma >= 0 ? url.slice(comma + 1) : '')
    }
    reader.onerror = () => reject(reader.error ?? new Error('The file could not be read.'))
    reader.readAsDataURL(file)
  })
}

export function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** Starts the browser's download of the bundle under `fileName`. */
export function saveBundle(fileName: string, base64: string): void {
  saveBlob(fileName, new Blob([base64ToBytes(base64)], { type: 'application/octet-stream' }))
}

/** Starts the browser's download of any file the page made (a bundle, a CSV export). */
export function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = fileName
  link.rel = 'noopener'
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  // The download has started from the URL by now; keep it a little longer for slow file pickers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

const units = ['bytes', 'KB', 'MB', 'GB']

/** "812 bytes", "14.2 KB", "3.1 MB" (powers of 1024). */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} ${value === 1 ? 'byte' : 'bytes'}` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`
}
