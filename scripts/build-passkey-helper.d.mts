/** Builds the passkey helper into `out` (unpacked) and `<out>.zip`; `hosts` are origins granted at install. */
export declare function buildPasskeyHelper(options?: { out?: string; hosts?: readonly string[] }): Promise<{ dir: string; zip: string; files: string[] }>
