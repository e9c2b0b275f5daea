import type { TokenEvent, TokenManager, TokenManagerStats, UpdateReason } from '@tokenwarden/core'
import type { AdapterName, DemoClient } from './adapters/index.ts'
import { Recorder, describe } from './recorder.ts'

/** A lane's counters at one instant; steps compare two of them. */
export interface LaneSnapshot extends TokenManagerStats {
  readonly requests: number
  readonly failedRequests: number
  /** Tokens published, by why they were acquired. */
  readonly updates: Readonly<Partial<Record<UpdateReason, number>>>
  /** Acquisition attempts that failed (`refresh-failed` events). */
  readonly refreshFailures: number
}

/** What {@link Lane.isSettled} requires. */
const settleDefaults: Readonly<{ publishedAgoInMs: number; renewalInMs: number }> = Object.freeze({
  publishedAgoInMs: 300,
  renewalInMs: 1000,
})

/** The first token's arrival. */
export interface FirstToken {
  /** Milliseconds from the credential's registration. */
  readonly afterMs: number
  /** The lane's counters just after it was published (its `waits`: requests that waited for it). */
  readonly counters: LaneSnapshot
}

/**
 * One adapter in the story: its client, the credential registered for it alone (so its token
 * requests are its own), what its requests did, and what its manager reported.
 */
export class Lane {
  readonly adapter: AdapterName
  readonly client: DemoClient
  readonly manager: TokenManager
  readonly recorder: Recorder = new Recorder()
  readonly #createdAt = performance.now()
  readonly #updates: Partial<Record<UpdateReason, number>> = {}
  readonly #unsubscribe: () => void
  #refreshFailures = 0
  #lastRefreshError: unknown
  #firstToken: FirstToken | undefined
  #lastUpdateAt = Number.NEGATIVE_INFINITY

  constructor(adapter: AdapterName, client: DemoClient, manager: TokenManager) {
    this.adapter = adapter
    this.client = client
    this.manager = manager
    this.#unsubscribe = manager.subscribe((event) => this.#record(event))
  }

  /** When the first token arrived, and the lane's counters at that instant. */
  get firstToken(): FirstToken | undefined {
    return this.#firstToken
  }

  /** Why the last acquisition attempt failed, as a code, if one did. */
  get lastRefreshError(): string | undefined {
    return this.#lastRefreshError === undefined ? undefined : describe(this.#lastRefreshError)
  }

  /**
   * Whether the lane's token is settled: published a while ago (so the API has seen it in use) and
   * not due for renewal soon (so no refresh is in flight or about to start). Steps that change the
   * world under the clients' feet wait for this, so that each adapter meets the change once.
   */
  isSettled(): boolean {
    const token = this.manager.peek()
    if (token === undefined) return false
    const renewalInMs = (token.refreshAt ?? Number.POSITIVE_INFINITY) - Date.now()
    const publishedAgoMs = performance.now() - this.#lastUpdateAt
    return publishedAgoMs >= settleDefaults.publishedAgoInMs && renewalInMs >= settleDefaults.renewalInMs
  }

  /** Sends one request through the lane's client and records it; see {@link Recorder.send}. */
  send(url: string, timed = true): Promise<void> {
    return this.recorder.send(() => this.client.get(url), timed)
  }

  snapshot(): LaneSnapshot {
    return {
      ...this.manager.stats(),
      requests: this.recorder.requests,
      failedRequests: this.recorder.failures,
      updates: { ...this.#updates },
      refreshFailures: this.#refreshFailures,
    }
  }

  async close(): Promise<void> {
    this.#unsubscribe()
    await this.client.close()
  }

  #record(event: TokenEvent): void {
    if (event.type === 'updated') {
      this.#updates[event.reason] = (this.#updates[event.reason] ?? 0) + 1
      this.#lastUpdateAt = performance.now()
      this.#firstToken ??= { afterMs: this.#lastUpdateAt - this.#createdAt, counters: this.snapshot() }
    } else if (event.type === 'refresh-failed') {
      this.#refreshFailures++
      this.#lastRefreshError = event.error
    }
  }
}

/** How many tokens were published for `reason` between two snapshots. */
export function updatesBetween(before: LaneSnapshot, after: LaneSnapshot, reason: UpdateReason): number {
  return (after.updates[reason] ?? 0) - (before.updates[reason] ?? 0)
}
