import type { Contender } from '../contenders/contender.ts'
import { isTokenwarden } from '../contenders/index.ts'
import { withAuthOnOwnPools } from '../contenders/pools.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, StormRow } from '../report/results.ts'
import type { World } from '../world/world.ts'
import { getData, postEcho } from './requests.ts'
import { TOKEN_LATENCY_MS, measureStorm, stormChecks } from './storm.ts'

/**
 * Scenario 4: each contender in turn holds a good token, the world revokes every token, and N
 * requests start at once, each a `POST /echo` whose body must come back intact. Each request
 * should get one 401, be retried once with the one new token, and succeed.
 */
export async function revokeStorm(
  world: World,
  contenders: readonly Contender[],
  options: BenchOptions,
): Promise<{ rows: StormRow[]; checks: Check[] }> {
  const rows: StormRow[] = []
  const checks: Check[] = []
  const n = options.stormRequests
  for (const contender of contenders.filter((c) => c.scenarios.has('revoke-storm'))) {
    await world.reset()
    await world.configure({ tokenLatencyMs: TOKEN_LATENCY_MS, challenge: contender.revokeChallenge ?? 'invalid_token' })
    const client = await withAuthOnOwnPools(contender, world.address, 'revoke-storm')
    await getData(client)()
    await world.revokeAll()
    const row = await measureStorm(world, contender, postEcho(client), n)
    rows.push(row)
    if (isTokenwarden(contender)) checks.push(...stormChecks('revoke storm', row, { tokenCalls: 1, retries: n, failures: 0 }))
    await client.close()
  }
  return { rows, checks }
}
