import { subscribe, unsubscribe } from 'node:diagnostics_channel'

/** Stops listening. */
export type Off = () => void

/**
 * Runs `handler` for each message on channel `name` (a tracing channel's events are channels of
 * their own: `tracing:<name>:start`, `tracing:<name>:asyncEnd`, …) until the returned function is called. Rules:
 * a handler never throws into the publisher (diagnostics_channel would raise its error as an
 * uncaught exception): what it throws is dropped, and the request or acquisition goes on.
 */
export function listen<T>(name: string, handler: (message: T) => void): Off {
  const listener = (message: unknown): void => {
    try {
      handler(message as T)
    } catch {
      // Simple rules: telemetry never breaks the work it observes.
    }
  }
  subscribe(name, listener)
  return () => {
    unsubscribe(name, listener)
  }
}
