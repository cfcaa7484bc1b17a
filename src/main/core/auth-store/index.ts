// The auth store's public surface: the contract types, the three built-in factories, the Baileys adapter.
// Main process, Electron-free. Importing this opens nothing; factories open databases or folders when called.

export type * from './types'
export { openSqliteAuthStoreFactory, sqliteAuthStoreFactory } from './sqlite-store'
export { createFileAuthStoreFactory, keyFileName, type FileAuthStoreOptions } from './file-store'
export { createMemoryAuthStoreFactory } from './memory-store'
export { makeBaileysAuthState, type BaileysAuthState, type BaileysAuthStateOptions } from './baileys-adapter'
export { aadFor, credsAad, keyAad, keyCheckAad } from './codec'
