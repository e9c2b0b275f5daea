import { type Clock, systemClock } from '@tokenwarden/core'

/** The system clock, `skipped` ms ahead: moved to end a store's breaker pause at once. Its timers are real. */
export class SkippingClock implements Clock {
  skipped = 0
  now = (): number => Date.now() + this.skipped
  setTimeout: Clock['setTimeout'] = systemClock.setTimeout
  clearTimeout: Clock['clearTimeout'] = systemClock.clearTimeout
}
