import { runIsolated } from '../measure/isolated.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, PoolScaleRow, ScaleRow } from '../report/results.ts'

/** An idle pooled key without a token may cost this much heap at most (DESIGN: 1 KiB). */
const POOL_KEY_BUDGET_BYTES = 1024

/**
 * Scenario 6: heap and timers per idle `TokenManager`, for many managers at once, in a fresh
 * process; 6b: the same for one `credentialPool` of many keys, with its `get()` throughput and what
 * `close()` leaves. No manager may keep the process alive, a pool holds one timer whatever its
 * size, and closing must leave no timer behind.
 */
export async function scale(options: BenchOptions): Promise<{ rows: ScaleRow[]; poolRows: PoolScaleRow[]; checks: Check[] }> {
  const rows = await runIsolated<ScaleRow[]>(new URL('./scale-process.ts', import.meta.url), [
    String(options.scale.managers),
  ])
  const checks: Check[] = rows.flatMap((row) => [
    {
      kind: 'correctness' as const,
      scenario: `scale (${row.setup})`,
      contender: '@tokenwarden/core',
      figure: 'timers keeping the process alive',
      expected: '0',
      actual: String(row.refTimers),
      ok: row.refTimers === 0,
    },
    {
      kind: 'correctness' as const,
      scenario: `scale (${row.setup})`,
      contender: '@tokenwarden/core',
      figure: 'timers left after close()',
      expected: '0',
      actual: String(row.timersAfterClose),
      ok: row.timersAfterClose === 0,
    },
  ])
  const poolRows = await runIsolated<PoolScaleRow[]>(new URL('./scale-pool-process.ts', import.meta.url), [
    String(options.scale.poolKeys),
    String(options.scale.poolGets),
  ])
  for (const row of poolRows) {
    const scenario = `scale, credentialPool (${row.setup})`
    const check = (figure: string, expected: string, actual: string | number, ok: boolean, kind: Check['kind'] = 'correctness'): void => {
      checks.push({ kind, scenario, contender: '@tokenwarden/core', figure, expected, actual: String(actual), ok })
    }
    check('timers, the whole pool', '≤ 1 (its sweep)', row.timers, row.timers <= 1)
    check('timers keeping the process alive', '0', row.refTimers, row.refTimers === 0)
    check('timers left after close()', '0', row.timersAfterClose, row.timersAfterClose === 0)
    if (row.setup.includes('no token')) {
      check('heap bytes per idle key', `≤ ${POOL_KEY_BUDGET_BYTES}`, Math.round(row.heapBytesPerKey), row.heapBytesPerKey <= POOL_KEY_BUDGET_BYTES, 'target')
    }
  }
  return { rows, poolRows, checks }
}
