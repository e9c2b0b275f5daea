import type { Contender } from '../contenders/contender.ts'
import { isTokenwarden } from '../contenders/index.ts'
import { withAuthOnOwnPools } from '../contenders/pools.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, StormRow } from '../report/results.ts'
import type { World } from '../world/world.ts'
import { getData, sleep } from './requests.ts'
import { TOKEN_LATENCY_MS, measureStorm, stormChecks } from './storm.ts'

/** Lifetime of the tokens the contenders start with, s: above Azure's fixed 1 s forced-refresh window. */
const SHORT_TTL_SECONDS = 2
/** Lifetime of the tokens the storm fetches, s: longer than any burst takes to drain. */
const LONG_TTL_SECONDS = 3600

/**
 * Scenario 3: every contender gets a short-lived token, then all wait, idle, until their tokens
 * have expired; then each in turn starts N requests at once. The token endpoint now issues
 * long-lived tokens, so the one fetched in the storm outlives the burst, however long its queue
 * takes to drain. Exactly one token request and no failure expected.
 */
export async function expiryStorm(
  world: World,
  contenders: readonly Contender[],
  options: BenchOptions,
): Promise<{ rows: StormRow[]; checks: Check[] }> {
  await world.reset()
  await world.configure({ ttlSeconds: SHORT_TTL_SECONDS, tokenLatencyMs: TOKEN_LATENCY_MS })
  const taking = contenders.filter((c) => c.scenarios.has('expiry-storm'))
  const clients = await Promise.all(taking.map((c) => withAuthOnOwnPools(c, world.address, 'expiry-storm')))
  await Promise.all(clients.map((client) => getData(client)()))
  await world.configure({ ttlSeconds: LONG_TTL_SECONDS })
  await sleep(SHORT_TTL_SECONDS * 1000 + 500)
  const rows: StormRow[] = []
  const checks: Check[] = []
  for (const [i, contender] of taking.entries()) {
    const client = clients[i] as (typeof clients)[number]
    const row = await measureStorm(world, contender, getData(client), options.stormRequests)
    rows.push(row)
    if (isTokenwarden(contender)) checks.push(...stormChecks('expiry storm', row, { tokenCalls: 1, failures: 0 }))
  }
  await Promise.all(clients.map((client) => client.close()))
  return { rows, checks }
}
