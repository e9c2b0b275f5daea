import { runIsolated } from '../measure/isolated.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, DPoPProofRow } from '../report/results.ts'

/**
 * Scenario 2b: the cost of one DPoP proof, tokenwarden's (`DPoPKey.proof`, synchronous node:crypto)
 * against openid-client's (its DPoP handle, WebCrypto) for the same key and algorithm, in a fresh
 * process. Target (DESIGN.md): ours costs no more CPU than openid-client's.
 */
export async function dpopProof(options: BenchOptions): Promise<{ rows: DPoPProofRow[]; checks: Check[] }> {
  const { proofs, rounds } = options.dpopProof
  const rows = await runIsolated<DPoPProofRow[]>(new URL('./dpop-proof-process.ts', import.meta.url), [String(proofs), String(rounds)])
  const checks = rows.flatMap((row): Check[] => [
    {
      kind: 'correctness',
      scenario: `DPoP proof (${row.alg})`,
      contender: '@tokenwarden/core',
      figure: 'same alg and jwk in both proofs',
      expected: 'same',
      actual: row.sameKey ? 'same' : 'different',
      ok: row.sameKey,
    },
    {
      kind: 'target',
      scenario: `DPoP proof (${row.alg})`,
      contender: '@tokenwarden/core',
      figure: 'CPU µs per proof',
      expected: `≤ openid-client's ${row.openidClientCpuMicros.toFixed(1)}`,
      actual: row.oursCpuMicros.toFixed(1),
      ok: row.oursCpuMicros <= row.openidClientCpuMicros,
    },
  ])
  return { rows, checks }
}
