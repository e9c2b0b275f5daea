/** One request: resolves when the response was read; `ok` is false for anything but the expected answer. */
export type Send = () => Promise<boolean>

/** The outcome of a load run. */
export interface LoadResult {
  requests: number
  failures: number
  /** Wall-clock time of the run, ms. */
  elapsedMs: number
  /** CPU time this process spent in the run, µs (all its threads: user and system). */
  cpuMicros: number
  /** Milliseconds of each request, from its start, when asked for. */
  latencies: number[]
}

/** Requests per second of a run. */
export function throughput(result: LoadResult): number {
  return (result.requests * 1000) / result.elapsedMs
}

/** CPU µs per request of a run. */
export function cpuPerRequest(result: LoadResult): number {
  return result.cpuMicros / result.requests
}

/** Several runs as one: requests, failures, time and CPU added up. */
export function combine(results: readonly LoadResult[]): LoadResult {
  return results.reduce(
    (sum, r) => ({
      requests: sum.requests + r.requests,
      failures: sum.failures + r.failures,
      elapsedMs: sum.elapsedMs + r.elapsedMs,
      cpuMicros: sum.cpuMicros + r.cpuMicros,
      latencies: [...sum.latencies, ...r.latencies],
    }),
    { requests: 0, failures: 0, elapsedMs: 0, cpuMicros: 0, latencies: [] },
  )
}

/**
 * Sends `requests` requests with `concurrency` of them in flight at any time (closed loop: each
 * worker sends its next request when its previous one is answered). A thrown error counts as a
 * failure and the run goes on.
 */
export async function closedLoop(send: Send, requests: number, concurrency: number): Promise<LoadResult> {
  let started = 0
  let failures = 0
  const worker = async (): Promise<void> => {
    while (started < requests) {
      started++
      if (!(await send().catch(() => false))) failures++
    }
  }
  const meter = startMeter()
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, worker))
  return meter.stop(requests, failures, [])
}

/** Sends requests with `concurrency` in flight until `durationMs` has passed. */
export async function forDuration(send: Send, durationMs: number, concurrency: number): Promise<LoadResult> {
  let requests = 0
  let failures = 0
  const t0 = performance.now()
  const worker = async (): Promise<void> => {
    while (performance.now() - t0 < durationMs) {
      requests++
      if (!(await send().catch(() => false))) failures++
    }
  }
  const meter = startMeter()
  await Promise.all(Array.from({ length: concurrency }, worker))
  return meter.stop(requests, failures, [])
}

/** Starts `requests` requests at once, in one synchronous loop, and records each one's latency. */
export async function burst(send: Send, requests: number): Promise<LoadResult> {
  const latencies = new Array<number>(requests)
  let failures = 0
  const meter = startMeter()
  await Promise.all(
    Array.from({ length: requests }, async (_, i) => {
      const start = performance.now()
      if (!(await send().catch(() => false))) failures++
      latencies[i] = performance.now() - start
    }),
  )
  return meter.stop(requests, failures, latencies)
}

function startMeter(): { stop(requests: number, failures: number, latencies: number[]): LoadResult } {
  const cpu = process.cpuUsage()
  const t0 = performance.now()
  return {
    stop(requests, failures, latencies) {
      const elapsedMs = performance.now() - t0
      const { user, system } = process.cpuUsage(cpu)
      return { requests, failures, elapsedMs, cpuMicros: user + system, latencies }
    },
  }
}
