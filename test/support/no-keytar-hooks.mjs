// Module hooks for a process in which keytar cannot load, as on a machine where its native build
// failed (no libsecret-1-dev) and the optional dependency was skipped: every import of 'keytar' fails
// the way Node fails a missing package. Registered by no-keytar.mjs through --import.
export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'keytar' || specifier.startsWith('keytar/')) {
    const error = new Error(`Cannot find package 'keytar' imported from ${context.parentURL ?? 'the app'}`)
    error.code = 'ERR_MODULE_NOT_FOUND'
    throw error
  }
  return nextResolve(specifier, context)
}
