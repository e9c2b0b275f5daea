import type { Clock, TimerHandle } from '@tokenwarden/core'

interface Timer {
  at: number
  callback: () => void
  seq: number
}

/**
 * A deterministic clock: time moves only through `advance`, which runs due timers in order and lets
 * the promises they settle run in between. Timers never fire on their own, so a manager on this
 * clock with `prefetch: 'lazy'` renews nothing until a test moves time. Counts live timers so tests
 * can assert nothing lingers.
 */
export class ManualClock implements Clock {
  #now: number
  #seq = 0
  readonly #timers = new Map<number, Timer>()
  /** Every delay passed to setTimeout, in order. */
  readonly delays: number[] = []

  constructor(start: number = Date.UTC(2026, 0, 1)) {
    this.#now = start
  }

  now(): number {
    return this.#now
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const seq = ++this.#seq
    this.delays.push(ms)
    this.#timers.set(seq, { at: this.#now + Math.max(0, ms), callback, seq })
    return seq
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number)
  }

  /** Live timers. */
  get pending(): number {
    return this.#timers.size
  }

  /**
   * Moves time forward by `ms`, firing due timers in order and flushing promises after each. A timer
   * fires with the clock at its own due time; the clock ends at `now + ms`.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms
    await flush()
    for (;;) {
      const next = [...this.#timers.values()].filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0]
      if (next === undefined) break
      this.#timers.delete(next.seq)
      this.#now = Math.max(this.#now, next.at)
      next.callback()
      await flush()
    }
    this.#now = target
    await flush()
  }
}

/** Lets every queued promise callback (and the ones they queue) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}
