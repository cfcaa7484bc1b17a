// Which native modules the desktop app needs built for Electron before `npm run dev` starts it.
// A Node-API binary (it registers through napi_register_module_v1) loads in Node and in Electron alike,
// so the binary npm installed serves both; a binary tied to one runtime's ABI (node_register_module_v<N>,
// or no recognisable registration at all) needs a copy built for Electron, kept in native/electron/ so
// node_modules stays built for Node and the tests keep running. A plain module so a test can point it at
// a folder of its own; ensure-electron-native.mjs acts on its answer.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** Where the app's native modules keep their binaries, and where the Electron copy goes when one is needed. */
export const NATIVE_MODULES = [
  {
    name: 'better-sqlite3',
    binaries: (platform, arch) => [`prebuilds/${platform}-${arch}.node`, 'build/Release/better_sqlite3.node'],
    // src/main/electron/packaged-paths.ts loads this file in development when it exists.
    electronCopy: 'native/electron/better_sqlite3.node',
    optional: false,
  },
  {
    name: 'keytar',
    binaries: () => ['build/Release/keytar.node'],
    // keytar is required by name, so an Electron copy could not be swapped in: a keytar that is not
    // Node-API is reported, and the app falls back to its clear keychain message.
    electronCopy: null,
    optional: true,
  },
]

/** 'node-api', 'runtime-abi' (built for one runtime's ABI) or 'unknown', read from the binary's symbol names. */
export function binaryKind(bytes) {
  const text = bytes.toString('latin1')
  if (text.includes('napi_register_module_v1') || text.includes('napi_module_register')) return 'node-api'
  if (/node_register_module_v\d+/.test(text)) return 'runtime-abi'
  return 'unknown'
}

/**
 * One entry per native module: the binary npm installed, its kind, and what `npm run dev` must do —
 * 'none' (Node-API, or an optional module that is absent), 'use-copy' (an Electron copy exists),
 * 'build' (an Electron copy is needed and missing), or 'missing' (a required module has no binary).
 */
export function planElectronNative(root, { platform = process.platform, arch = process.arch } = {}) {
  return NATIVE_MODULES.map((module) => {
    const folder = join(root, 'node_modules', module.name)
    const binary = module.binaries(platform, arch).map((p) => join(folder, p)).find((p) => existsSync(p))
    if (!binary) return { name: module.name, binary: null, kind: null, action: module.optional ? 'none' : 'missing' }
    const kind = binaryKind(readFileSync(binary))
    if (kind === 'node-api') return { name: module.name, binary, kind, action: 'none' }
    if (!module.electronCopy) return { name: module.name, binary, kind, action: 'unsupported' }
    const copy = join(root, module.electronCopy)
    return { name: module.name, binary, kind, action: existsSync(copy) ? 'use-copy' : 'build', copy }
  })
}
