import { Agent as HttpAgent } from 'node:http'
import { Agent } from 'undici'
import type { WorldAddress } from '../world/protocol.ts'
import { type Client, type Contender, POOL_SIZE, type Scenario } from './contender.ts'

/**
 * The keep-alive pools a contender's clients send through, opened and closed by the scenario, never
 * by a client. The hot path hands the same pools to both of its sides, so that the two differ in
 * the auth layer alone: with a pool each, the control row's two identical sides (sequential)
 * differed by 18–46% in CPU per request in each of five runs, one way for a whole run; on one
 * pool, by 2.4% at most in four runs of five. Clients on the global `fetch` share its global
 * dispatcher the same way.
 */
export interface Pools {
  /** For clients on undici: an `Agent` with {@link POOL_SIZE} connections per origin. */
  readonly undici: Agent
  /** For clients on node:http (axios, got, Azure's pipeline): a keep-alive `http.Agent` of {@link POOL_SIZE} sockets. */
  readonly http: HttpAgent
}

/** Opens a pair of pools; neither connects before its first request. */
export function openPools(): Pools {
  return {
    undici: new Agent({ connections: POOL_SIZE }),
    http: new HttpAgent({ keepAlive: true, maxSockets: POOL_SIZE }),
  }
}

/** Closes both pools once their requests are done. */
export async function closePools(pools: Pools): Promise<void> {
  pools.http.destroy()
  await pools.undici.close()
}

/** `contender`'s client with its auth layer on, on pools of its own that its `close` closes too. */
export async function withAuthOnOwnPools(contender: Contender, world: WorldAddress, scenario: Scenario): Promise<Client> {
  const pools = openPools()
  const client = await contender.withAuth(world, scenario, pools)
  return { send: client.send, close: () => client.close().then(() => closePools(pools)) }
}
