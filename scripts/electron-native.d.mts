export interface NativeModule {
  name: string
  binaries: (platform: string, arch: string) => string[]
  electronCopy: string | null
  optional: boolean
}
export type BinaryKind = 'node-api' | 'runtime-abi' | 'unknown'
export interface NativePlan {
  name: string
  binary: string | null
  kind: BinaryKind | null
  action: 'none' | 'use-copy' | 'build' | 'missing' | 'unsupported'
  copy?: string
}
export declare const NATIVE_MODULES: readonly NativeModule[]
export declare function binaryKind(bytes: Buffer): BinaryKind
export declare function planElectronNative(root: string, target?: { platform?: string; arch?: string }): NativePlan[]
