import { setTimeout as delay } from 'node:timers/promises'
import type { Lane } from './lane.ts'

/** Steady traffic: a few workers per lane, each sending one request after another with a short pause. */
const trafficDefaults: Readonly<{ workersPerLane: number; pauseInMs: number }> = Object.freeze({
  workersPerLane: 4,
  pauseInMs: 20,
})

/** Requests running in the background until {@link Traffic.stop}. */
export class Traffic {
  #running = false
  #workers: Promise<void>[] = []

  /** Starts the workers of every lane, all sending `GET url`. */
  start(lanes: readonly Lane[], url: string): void {
    this.#running = true
    for (const lane of lanes) {
      for (let i = 0; i < trafficDefaults.workersPerLane; i++) this.#workers.push(this.#work(lane, url))
    }
  }

  /** Stops the workers and resolves once their last requests are done. */
  async stop(): Promise<void> {
    this.#running = false
    await Promise.all(this.#workers.splice(0))
  }

  async #work(lane: Lane, url: string): Promise<void> {
    while (this.#running) {
      await lane.send(url)
      await delay(trafficDefaults.pauseInMs)
    }
  }
}

/**
 * Sends `count` requests through `lane` at once; resolves with how long the last one took to
 * finish, in ms. Their latencies stay out of the percentiles, which describe steady traffic.
 */
export async function burst(lane: Lane, url: string, count: number): Promise<number> {
  const started = performance.now()
  await Promise.all(Array.from({ length: count }, () => lane.send(url, false)))
  return performance.now() - started
}

/** Resolves `true` once `done()` holds (checked every 10 ms), or `false` after `timeoutMs`. */
export async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs
  while (!done()) {
    if (performance.now() >= deadline) return false
    await delay(10)
  }
  return true
}

/** Resolves after `ms` (the demo takes wall time on purpose: it shows traffic flowing). */
export function pause(ms: number): Promise<void> {
  return delay(ms)
}
