import { type Contender, POOL_SIZE } from '../contenders/contender.ts'
import { isTokenwarden } from '../contenders/index.ts'
import { withAuthOnOwnPools } from '../contenders/pools.ts'
import { forDuration } from '../measure/load.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, OutageRow } from '../report/results.ts'
import type { World } from '../world/world.ts'
import { getData, sleep } from './requests.ts'
import { TOKEN_LATENCY_MS } from './storm.ts'

/** Token lifetime, s: inside Azure's 2-minute and Google's 5-minute refresh windows from the start. */
const TTL_SECONDS = 100
/** The server's `refresh_in`, s, which tokenwarden honours: its token is stale (renewable) after this. */
const REFRESH_IN_SECONDS = 1

/**
 * Scenario 5: every contender gets a token valid for 100 s, then the token endpoint goes down (503)
 * and stays down while the tokens become due for renewal. Each contender in turn then sends
 * requests for a while; the token is still good, so none of them should fail, whatever their
 * renewal attempts meet. Token calls count from the start of the outage.
 */
export async function idpOutage(
  world: World,
  contenders: readonly Contender[],
  options: BenchOptions,
): Promise<{ rows: OutageRow[]; checks: Check[] }> {
  await world.reset()
  await world.configure({ ttlSeconds: TTL_SECONDS, refreshInSeconds: REFRESH_IN_SECONDS, tokenLatencyMs: TOKEN_LATENCY_MS })
  const taking = contenders.filter((c) => c.scenarios.has('idp-outage'))
  const clients = await Promise.all(taking.map((c) => withAuthOnOwnPools(c, world.address, 'idp-outage')))
  await Promise.all(clients.map((client) => getData(client)()))
  const before = await Promise.all(taking.map((c) => world.counters(c.id)))
  await world.configure({ unavailable: true })
  await sleep(REFRESH_IN_SECONDS * 1000 + 200)
  const rows: OutageRow[] = []
  const checks: Check[] = []
  for (const [i, contender] of taking.entries()) {
    const result = await forDuration(getData(clients[i] as (typeof clients)[number]), options.outageMs, POOL_SIZE)
    const after = await world.counters(contender.id)
    const row = {
      contender: contender.label,
      requests: result.requests,
      failures: result.failures,
      tokenCalls: after.tokenCalls - (before[i]?.tokenCalls ?? 0),
    }
    rows.push(row)
    if (isTokenwarden(contender)) {
      checks.push({
        kind: 'correctness',
        scenario: 'IdP outage',
        contender: contender.label,
        figure: 'failures',
        expected: '0',
        actual: String(row.failures),
        ok: row.failures === 0,
      })
    }
  }
  // The token endpoint answers again before the clients close: a client's close waits for renewals
  // it left running in the background (Azure's), which must succeed before the world goes away.
  await world.configure({ unavailable: false })
  await Promise.all(clients.map((client) => client.close()))
  return { rows, checks }
}
