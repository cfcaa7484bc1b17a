export declare const REQUIRED_NODE_MAJOR: number
export declare const WRONG_NODE_EXIT_CODE: number
/** The Node 24 that `npm ci` installs (tools/node24), found from `from` (default: this file's folder) up, or null. */
export declare function projectNode(from?: string): string | null
/** The one line to print when `version` is too old, or null when it will do. */
export declare function wrongNodeMessage(version: string, execPath: string, installedNode: string | null): string | null
