// The words for an account WhatsApp holds to a reach-out limit (error 463, announced with its end):
// texts to new contacts are refused until then, texts to known contacts go on. Main process, Electron-free.

import type { AccountCondition } from '../../../shared/contract'

export function reachOutCondition(until: number, since: number): AccountCondition {
  return {
    code: 'reach-out-limited',
    title: 'Limited to known contacts',
    detail: `WhatsApp refuses this account's messages to new contacts until ${new Date(until).toISOString()}.`,
    remedy: 'Write only to people who wrote to the account or whom it wrote to before; sends to new contacts are refused, not queued, until then.',
    since,
    until,
    automatic: 'Sends to new contacts are refused until the limit ends',
  }
}
