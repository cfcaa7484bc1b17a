// The doctor's diagnostics channels (node:diagnostics_channel), the way the session manager publishes
// reconnects (sessions/session-channels.ts): metrics (core/metrics) count them by name without touching
// the doctor. Publishers check `hasSubscribers` first. Main process, Electron-free.

import diagnosticsChannel from 'node:diagnostics_channel'

export const DOCTOR_DECRYPT_FAILURE = 'doctor:decrypt-failure'
export const DOCTOR_STALE_SOCKET = 'doctor:stale-socket'
export const DOCTOR_SEND_REFUSAL = 'doctor:send-refusal'

/**
 * Why a send was refused: WhatsApp answered 463 (`reach-out-limit`), or the app refused it at once,
 * without asking WhatsApp, while a known limit held (`reach-out-limit-early`). A closed set: a label.
 */
export const SEND_REFUSAL_REASONS = ['reach-out-limit', 'reach-out-limit-early'] as const
export type SendRefusalReason = (typeof SEND_REFUSAL_REASONS)[number]

export interface DoctorEvent {
  account: string
}
export interface StaleSocketEvent extends DoctorEvent {
  /** How long nothing had come from WhatsApp when the socket was found stale. */
  silentMs: number
}
export interface SendRefusalEvent extends DoctorEvent {
  reason: SendRefusalReason
}

const decryptFailure = diagnosticsChannel.channel(DOCTOR_DECRYPT_FAILURE)
const staleSocket = diagnosticsChannel.channel(DOCTOR_STALE_SOCKET)
const sendRefusal = diagnosticsChannel.channel(DOCTOR_SEND_REFUSAL)

export function publishDecryptFailure(event: DoctorEvent): void {
  if (decryptFailure.hasSubscribers) decryptFailure.publish(event)
}
export function publishStaleSocket(event: StaleSocketEvent): void {
  if (staleSocket.hasSubscribers) staleSocket.publish(event)
}
export function publishSendRefusal(event: SendRefusalEvent): void {
  if (sendRefusal.hasSubscribers) sendRefusal.publish(event)
}
