// The words for an account whose proxy failed it (the condition proxy-unreachable, and its last error).
// Main process, Electron-free. Names the proxy by host and port only, never its credentials.

import type { AccountCondition } from '../../../shared/contract'

export function proxyCondition(failure: { host: string; why: string; since: number; retryInMs: number | null }): AccountCondition {
  return {
    code: 'proxy-unreachable',
    title: 'Proxy unreachable',
    detail: `The proxy ${failure.host} failed the connection: ${failure.why}. The account does not connect without it.`,
    remedy: 'Check that the proxy runs, and its address and credentials (Set proxy…); or clear the proxy to connect directly.',
    since: failure.since,
    until: null,
    automatic: failure.retryInMs === null ? null : `Trying the proxy again in ${Math.max(1, Math.round(failure.retryInMs / 1000))} s`,
  }
}

export function proxyLastError(host: string, why: string): string {
  return `The proxy ${host} failed the connection (${why}). Retrying through it; never connecting directly.`
}
