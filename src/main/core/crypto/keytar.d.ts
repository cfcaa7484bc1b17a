// keytar is an optional dependency: where its native build could not run (no libsecret headers at
// `npm ci`), npm leaves it out, types included. Its callers cast what they load to their own narrow
// interface (KeytarLike in key-vault.ts), so this declaration is all the type-check needs, installed or not.
declare module 'keytar' {
  const keytar: unknown
  export default keytar
}
