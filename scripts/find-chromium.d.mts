export type ChromiumChoice =
  | { executablePath: string; env: Record<string, string>; source: string }
  | { missing: string }
/** Which Chromium the specs drive, or why there is none (see find-chromium.mjs). */
export declare function findChromium(env?: NodeJS.ProcessEnv): ChromiumChoice
