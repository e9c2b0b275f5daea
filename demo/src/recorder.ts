import { isTokenError } from '@tokenwarden/core'

/** Failures kept with their reason; beyond this only the count grows. */
const MAX_KEPT_FAILURES = 1000

/** What one adapter's requests did: counts, latencies, and why the failed ones failed. */
export class Recorder {
  /** Requests sent, answered or not. */
  requests = 0
  /** Requests that got no 2xx answer. */
  failures = 0
  readonly #latenciesMs: number[] = []
  readonly #reasons: string[] = []

  /**
   * Sends one request; a non-2xx status or a rejection counts as a failure. Its latency counts
   * towards the percentiles unless `timed` is false.
   */
  async send(request: () => Promise<number>, timed = true): Promise<void> {
    const started = performance.now()
    let failure: string | undefined
    try {
      const status = await request()
      if (status < 200 || status > 299) failure = `HTTP ${status}`
    } catch (error) {
      failure = describe(error)
    }
    if (timed) this.#latenciesMs.push(performance.now() - started)
    this.requests++
    if (failure === undefined) return
    this.failures++
    if (this.#reasons.length < MAX_KEPT_FAILURES) this.#reasons.push(failure)
  }

  /** The latency under which `fraction` of the timed requests completed, in ms (0 without any). */
  percentile(fraction: number): number {
    if (this.#latenciesMs.length === 0) return 0
    const sorted = this.#latenciesMs.toSorted((a, b) => a - b)
    return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0
  }

  /** The reasons of the failures kept since the `from`-th one, as `HTTP 401 ×2, ECONNRESET`. */
  reasonsSince(from: number): string {
    const counts = new Map<string, number>()
    for (const reason of this.#reasons.slice(from)) counts.set(reason, (counts.get(reason) ?? 0) + 1)
    return [...counts].map(([reason, n]) => (n === 1 ? reason : `${reason} ×${n}`)).join(', ')
  }
}

/** A secret-free word on why a request failed: a tokenwarden or system error code, else the error's class. */
export function describe(error: unknown): string {
  if (isTokenError(error)) return error.code
  const code = (error as { code?: unknown } | null)?.code
  if (typeof code === 'string') return code
  return error instanceof Error ? error.name : typeof error
}
