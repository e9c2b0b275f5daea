import { runIsolated } from '../measure/isolated.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, ScaleRow } from '../report/results.ts'

/**
 * Scenario 6: heap and timers per idle `TokenManager`, for many managers at once, in a fresh
 * process. No manager may keep the process alive, and closing must leave no timer behind.
 */
export async function scale(options: BenchOptions): Promise<{ rows: ScaleRow[]; checks: Check[] }> {
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
  return { rows, checks }
}
