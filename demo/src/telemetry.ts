import diagnostics_channel from 'node:diagnostics_channel'
import {
  type AcquisitionMessage,
  type ChallengeMessage,
  type RefreshFailedMessage,
  type RequestRetriedMessage,
  type TokenServedMessage,
  diagnosticsChannels,
} from '@tokenwarden/core'

/** Adds one to `key`'s count. */
function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

/** `a 2, b 1`, largest first. */
function list(counts: Map<string, number>): string {
  return [...counts].sort((x, y) => y[1] - x[1]).map(([key, n]) => `${key} ${n.toLocaleString('en-US')}`).join(', ')
}

const sum = (counts: Map<string, number>): number => [...counts.values()].reduce((a, b) => a + b, 0)

/**
 * What tokenwarden published on its diagnostics channels in this process while the story ran:
 * what an operator's dashboards would show (the same channels `@tokenwarden/opentelemetry` reads).
 */
export class TelemetryTally {
  readonly #acquisitions = new Map<string, number>()
  readonly #outcomes = new Map<string, number>()
  readonly #durationsMs: number[] = []
  readonly #retries = new Map<string, number>()
  readonly #challenges = new Map<string, number>()
  readonly #failures = new Map<string, number>()
  #served = 0
  #leastRemainingMs = Number.POSITIVE_INFINITY
  readonly #off: (() => void)[] = []

  /** Starts counting. */
  static listen(): TelemetryTally {
    const tally = new TelemetryTally()
    tally.#on<AcquisitionMessage>(`tracing:${diagnosticsChannels.acquisition}:asyncEnd`, (m) => {
      bump(tally.#acquisitions, m.reason)
      bump(tally.#outcomes, m.outcome === 'failed' ? `failed (${m.code})` : (m.outcome ?? 'source'))
      if (m.durationMs !== undefined) tally.#durationsMs.push(m.durationMs)
    })
    tally.#on<RequestRetriedMessage>(diagnosticsChannels.requestRetried, (m) => bump(tally.#retries, `${m.kind} after ${m.status}`))
    tally.#on<ChallengeMessage>(diagnosticsChannels.challenge, (m) => bump(tally.#challenges, m.action))
    tally.#on<RefreshFailedMessage>(diagnosticsChannels.refreshFailed, (m) =>
      bump(tally.#failures, m.status === undefined ? m.code : `${m.code} ${m.status}`),
    )
    tally.#on<TokenServedMessage>(diagnosticsChannels.tokenServed, (m) => {
      tally.#served++
      if (m.remainingMs !== undefined) tally.#leastRemainingMs = Math.min(tally.#leastRemainingMs, m.remainingMs)
    })
    return tally
  }

  /** Stops counting. */
  stop(): void {
    for (const off of this.#off.splice(0)) off()
  }

  /** The summary, a few lines. */
  lines(): string[] {
    const sorted = this.#durationsMs.toSorted((a, b) => a - b)
    const p50 = sorted[Math.floor(sorted.length / 2)] ?? 0
    const max = sorted.at(-1) ?? 0
    const least = Number.isFinite(this.#leastRemainingMs) ? `${(this.#leastRemainingMs / 1000).toFixed(1)} s` : '–'
    return [
      `acquisitions      ${sum(this.#acquisitions)} (${list(this.#acquisitions)}); outcome: ${list(this.#outcomes)}; p50 ${p50.toFixed(0)} ms, max ${max.toFixed(0)} ms`,
      `request retries   ${sum(this.#retries)}${this.#retries.size === 0 ? '' : ` (${list(this.#retries)})`}; challenges ${sum(this.#challenges)}${this.#challenges.size === 0 ? '' : ` (${list(this.#challenges)})`}`,
      `refresh failures  ${sum(this.#failures)}${this.#failures.size === 0 ? '' : ` (${list(this.#failures)})`}`,
      `tokens served     ${this.#served.toLocaleString('en-US')} from memory; least remaining lifetime at use ${least}`,
    ]
  }

  #on<T>(name: string, handler: (message: T) => void): void {
    const listener = (message: unknown): void => handler(message as T)
    diagnostics_channel.subscribe(name, listener)
    this.#off.push(() => diagnostics_channel.unsubscribe(name, listener))
  }
}
