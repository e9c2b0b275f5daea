import type { Contender } from '../contenders/contender.ts'
import { type Send, burst } from '../measure/load.ts'
import { percentile } from '../measure/stats.ts'
import type { Check, StormRow } from '../report/results.ts'
import type { World } from '../world/world.ts'

/**
 * The token endpoint's latency in the storms and the outage, ms: a token request stays in flight
 * long enough for callers (and 401s) to pile up behind it.
 */
export const TOKEN_LATENCY_MS = 20

/** Fires `requests` requests at once through `send` and reads what the world saw of the contender meanwhile. */
export async function measureStorm(world: World, contender: Contender, send: Send, requests: number): Promise<StormRow> {
  const before = await world.counters(contender.id)
  const result = await burst(send, requests)
  const after = await world.counters(contender.id)
  return {
    contender: contender.label,
    requests,
    tokenCalls: after.tokenCalls - before.tokenCalls,
    unauthorized: after.unauthorized - before.unauthorized,
    retries: after.requests - before.requests - requests,
    failures: result.failures,
    p50Ms: percentile(result.latencies, 50),
    p99Ms: percentile(result.latencies, 99),
  }
}

/** The correctness checks of a storm row: `figure` must equal `expected` for each entry. */
export function stormChecks(scenario: string, row: StormRow, expected: Partial<Record<keyof StormRow, number>>): Check[] {
  return Object.entries(expected).map(([figure, value]) => {
    const actual = row[figure as keyof StormRow]
    return {
      kind: 'correctness',
      scenario,
      contender: row.contender,
      figure,
      expected: String(value),
      actual: String(actual),
      ok: actual === value,
    }
  })
}
