// Auth store telemetry: diagnostics_channel events, the store wrapper that publishes them, the observed
// key cache, and the rolling aggregator the UI charts. Main process, Electron-free; importing this
// subscribes to nothing (createTelemetryAggregator does, until dispose()).

export * from './channels'
export { instrumentStore } from './instrument-store'
export { createObservedKeyCache, type ObservedKeyCache, type CacheCounts } from './observed-key-cache'
export * from './aggregator'
export { HISTOGRAM_RELATIVE_ERROR } from './histogram'
