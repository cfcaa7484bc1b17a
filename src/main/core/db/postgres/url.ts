// What counts as a PostgreSQL URL. Its own module, free of the driver, so the CLIs can check an option
// without loading node-postgres. Main process, Electron-free.

export function isPostgresUrl(value: unknown): value is string {
  return typeof value === 'string' && /^postgres(ql)?:\/\//i.test(value)
}
