import { runIsolated } from '../measure/isolated.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, CoreRow } from '../report/results.ts'

/** Cached `getToken()` calls per second the core must reach. */
export const GET_TOKEN_TARGET = 20_000_000
/** The row of `current()` measured with a subscriber on the channel it publishes on. */
export const SUBSCRIBED_CURRENT = 'current() with tokenwarden:token:served subscribed'
/** Bytes a call may allocate beyond the clock read and still count as allocating nothing (measurement rounding). */
const ALLOCATION_SLACK_BYTES = 0.5

/**
 * Scenario 2: cached-token operations of `@tokenwarden/core` (ops/s and bytes allocated per call),
 * measured in a fresh process so the HTTP scenarios' heap and JIT state do not weigh on them.
 */
export async function coreOps(options: BenchOptions): Promise<{ rows: CoreRow[]; checks: Check[] }> {
  const { iterations, rounds } = options.core
  const rows = await runIsolated<CoreRow[]>(new URL('./core-ops-process.ts', import.meta.url), [
    String(iterations),
    String(rounds),
  ])
  const getToken = rows.find((row) => row.operation === 'getToken()')
  const clock = rows.find((row) => row.operation.startsWith('Date.now()'))?.bytesPerCall ?? 0
  const current = rows.find((row) => row.operation === 'current()')?.bytesPerCall ?? Number.NaN
  const checks: Check[] = [
    {
      kind: 'target',
      scenario: 'core',
      contender: '@tokenwarden/core',
      figure: 'cached getToken() ops/s',
      expected: `≥ ${GET_TOKEN_TARGET.toLocaleString('en-US')}`,
      actual: Math.round(getToken?.opsPerSecond ?? 0).toLocaleString('en-US'),
      ok: (getToken?.opsPerSecond ?? 0) >= GET_TOKEN_TARGET,
    },
    {
      kind: 'target',
      scenario: 'core',
      contender: '@tokenwarden/core',
      figure: 'bytes per current() beyond the clock read, nobody subscribed to its channel',
      expected: `≤ ${ALLOCATION_SLACK_BYTES}`,
      actual: (current - clock).toFixed(1),
      ok: current - clock <= ALLOCATION_SLACK_BYTES,
    },
  ]
  return { rows, checks }
}
