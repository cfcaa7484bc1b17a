// Public surface of the WhatsApp simulator, for tests, demos and the headless server's embedded
// mode. Node only; never import it from the renderer or preload.

export { startSimulator, KICK_CODES } from './simulator.js'
export type {
  AccountSummary,
  ClearedFaults,
  DeviceSummary,
  Fault,
  FaultKind,
  InjectedFault,
  KickCode,
  PairedAccount,
  ScanOptions,
  Simulator,
  SimulatorEvents,
  SimulatorOptions,
} from './simulator.js'
export { startSimulatorAdmin, KickRequest, LogoutRequest, PasskeyRequest, RemovePasskeyRequest, ScanRequest } from './admin.js'
export { FAULT_CLOSE_CODES, FAULT_KINDS, parseFault } from './faults/fault.js'
export { PASSKEY_CHECKS, PASSKEY_ORIGIN, PASSKEY_RP_ID } from './passkey/assertion.js'
export type { PasskeyCheck, PasskeyRegistration } from './passkey/assertion.js'
export { createSoftPasskey } from './passkey/authenticator.js'
export type { SoftPasskey } from './passkey/authenticator.js'
export type { SimulatorAdmin } from './admin.js'
export { createDefaultLogger, silentLogger } from './logger.js'
export type { SimulatorLogger } from './logger.js'
