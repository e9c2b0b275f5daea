import { runIsolated } from '../measure/isolated.ts'
import type { BenchOptions } from '../options.ts'
import type { AdapterCostRow, Check } from '../report/results.ts'

/**
 * Scenario 1b: each adapter's own cost per request, in nanoseconds, measured in a fresh process
 * over transports that answer at once. Unlike the hot path's ratios it does not swing with the
 * machine's load, so it is the figure to compare before and after a change to an adapter.
 */
export async function adapterCost(options: BenchOptions): Promise<{ rows: AdapterCostRow[]; checks: Check[] }> {
  const { iterations, rounds } = options.adapterCost
  const rows = await runIsolated<AdapterCostRow[]>(new URL('./adapter-cost-process.ts', import.meta.url), [
    String(iterations),
    String(rounds),
  ])
  return { rows, checks: [] }
}
