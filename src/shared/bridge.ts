// The shape of what the preload exposes to the renderer as `window.irish`. Types only.

import type { CommandName, EventName } from './channels'
import type { CommandInput, CommandResult, EventMessage } from './contract'

export interface IrishBridge {
  invoke<C extends CommandName>(command: C, input: CommandInput<C>): Promise<CommandResult<C>>
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (message: EventMessage<EventName>) => void): () => void
  /** Tells main the page is listening, so it flushes the events it queued meanwhile. */
  ready(): void
}
