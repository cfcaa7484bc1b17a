// Which linked device a set of creds belongs to: creds.me.id without its server ("15550001111:12"). The
// write counter of creds is kept per such identity (transfer/staleness.ts): a new pairing of the same
// phone is another device, with a counter of its own. Main process, Electron-free.

/** The linked device of these creds, or null before pairing. */
export function identityOf(creds: unknown): string | null {
  const id = (creds as { me?: { id?: unknown } } | null)?.me?.id
  if (typeof id !== 'string') return null
  const at = id.indexOf('@')
  const device = at < 0 ? id : id.slice(0, at)
  return device === '' ? null : device.slice(0, 128)
}
