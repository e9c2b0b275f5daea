import { runIsolated } from '../measure/isolated.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, CoreRow } from '../report/results.ts'

/** Cached `getToken()` calls per second the core must reach. */
export const GET_TOKEN_TARGET = 20_000_000

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
  ]
  return { rows, checks }
}
