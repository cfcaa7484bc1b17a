// The send service's diagnostics channel (node:diagnostics_channel), as sessions/session-channels.ts is
// the session manager's: every send's outcome, so metrics count them without touching the service.
// Main process, Electron-free.

import diagnosticsChannel from 'node:diagnostics_channel'

export const SEND_OUTCOME = 'sends:outcome'

/**
 * What became of a send at this step: sent (at once or from the queue), queued (over a limit),
 * refused (a full queue, a reach-out limit), failed, or cancelled from the queue.
 */
export const SEND_RESULTS = ['sent', 'queued', 'refused', 'failed', 'cancelled'] as const
export type SendResult = (typeof SEND_RESULTS)[number]

export interface SendOutcomeEvent {
  account: string
  result: SendResult
  count: number
}

const channel = diagnosticsChannel.channel(SEND_OUTCOME)

export function publishSendOutcome(event: SendOutcomeEvent): void {
  if (channel.hasSubscribers) channel.publish(event)
}
