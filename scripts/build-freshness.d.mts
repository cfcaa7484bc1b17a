export declare const BUILD_OUTPUTS: readonly string[]
export declare const BUILD_SOURCES: readonly string[]
/** Why `root` needs a build, or null when its build is current (or it has no src/ to build from). */
export declare function staleReason(root: string): string | null
