import type { Clock, TimerHandle } from '@tokenwarden/core'

/**
 * A clock whose time moves only when a test says so. Timers are recorded and never fire on their
 * own: `advance` fires those that fall due. With `prefetch: 'lazy'` a manager starts none.
 */
export class TestClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, { at: number; callback: () => void }>()

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    this.#timers.set(++this.#seq, { at: this.#now + Math.max(0, ms), callback })
    return this.#seq
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number)
  }

  /** Live timers. */
  get pending(): number {
    return this.#timers.size
  }

  /** Moves time forward by `ms` and fires the timers that fall due, in order. */
  advance(ms: number): void {
    this.#now += ms
    const due = [...this.#timers].filter(([, t]) => t.at <= this.#now).sort(([, a], [, b]) => a.at - b.at)
    for (const [id, timer] of due) {
      this.#timers.delete(id)
      timer.callback()
    }
  }
}
