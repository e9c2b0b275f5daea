import { type Contender, type HandSetHeaders, POOL_SIZE } from '../contenders/contender.ts'
import { handMadeProof, requestBoundToken } from '../contenders/hand-made-proof.ts'
import { isTokenwarden } from '../contenders/index.ts'
import { closePools, openPools } from '../contenders/pools.ts'
import { requestToken } from '../contenders/token-request.ts'
import { registeredBoundToken } from '../contenders/tokenwarden-credential.ts'
import { type LoadResult, type Send, closedLoop, combine, cpuPerRequest, throughput } from '../measure/load.ts'
import { median } from '../measure/stats.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, HotPathRow } from '../report/results.ts'
import type { WorldAddress } from '../world/protocol.ts'
import type { World } from '../world/world.ts'
import { getData } from './requests.ts'

/** The throughput an auth layer must keep, against the same client with a hand-set header. */
export const HOT_PATH_TARGET = 0.98
/** Blocks per side in a round. */
const BLOCKS = 10

/**
 * How the cached token is sent: as a bearer token (scenario 1), or DPoP-bound, with a new proof
 * for each request (scenario 1c).
 */
export type HotPathScheme = 'Bearer' | 'DPoP'

/**
 * Scenario 1: `GET /data` with a cached token. For each contender, the same client sends with a
 * hand-set `Authorization` header (A) and through the auth layer (B), both on the same connection
 * pools, warmed up, then in rounds of alternated blocks; once with {@link POOL_SIZE} requests in
 * flight and once one at a time. Besides throughput, the client process's CPU time per request is
 * recorded: it shows the auth layer's own cost even when the world, not the client, sets the pace,
 * and it holds up better than throughput on a machine shared with other work.
 *
 * Scenario 1c, `scheme` `DPoP`: the same with a DPoP-bound token. A sends `Authorization: DPoP
 * <token>` and a proof it makes for each request with the same `DPoPKey.proof` call core makes, with
 * the auth side's own key and token; B's credential is made with `dpop`, and its adapter sends what
 * core signs. The proof's cost, the same on both sides, is most of the difference from scenario 1.
 */
export async function hotPath(
  world: World,
  contenders: readonly Contender[],
  options: BenchOptions,
  scheme: HotPathScheme = 'Bearer',
): Promise<{ rows: HotPathRow[]; checks: Check[] }> {
  const rows: HotPathRow[] = []
  const checks: Check[] = []
  const scenario = scheme === 'DPoP' ? 'hot-path-dpop' : 'hot-path'
  const { requests, sequentialRequests, rounds, warmup } = scheme === 'DPoP' ? options.hotPathDPoP : options.hotPath
  for (const contender of contenders.filter((c) => c.scenarios.has(scenario))) {
    const pools = openPools()
    const withAuth = await contender.withAuth(world.address, scenario, pools)
    const { headers, alg } = await handSetHeaders(world.address, contender, scheme)
    const handSet = contender.handSet(world.address, headers, pools)
    const sides = [getData(handSet), getData(withAuth)] as const
    for (const send of sides) await closedLoop(send, warmup, POOL_SIZE)
    const blocks = [loop(sides[0]), loop(sides[1])] as const
    for (const [mode, count, concurrency] of [
      ['concurrent', requests, POOL_SIZE],
      ['sequential', sequentialRequests, 1],
    ] as const) {
      const row = await alternate(blocks, count, concurrency, rounds)
      rows.push({ contender: contender.label, client: contender.client, mode, alg, rounds, ...row })
      if (!isTokenwarden(contender)) continue
      const name = `${scheme === 'DPoP' ? 'hot path with DPoP' : 'hot path'} (${mode})`
      checks.push({
        kind: 'correctness',
        scenario: name,
        contender: contender.label,
        figure: 'failures',
        expected: '0',
        actual: String(row.failures),
        ok: row.failures === 0,
      })
      checks.push({
        kind: 'target',
        scenario: name,
        contender: contender.label,
        figure: 'throughput ratio',
        expected: `≥ ${HOT_PATH_TARGET}`,
        actual: row.ratio.toFixed(3),
        ok: row.ratio >= HOT_PATH_TARGET,
      })
    }
    await Promise.all([handSet.close(), withAuth.close()])
    await closePools(pools)
  }
  return { rows, checks }
}

/**
 * The hand-set side's headers. Bearer: a token of the contender's own. DPoP: proofs made by hand
 * with the key and token of tokenwarden's credential (registered by `withAuth`, which ran first),
 * and for the control, with a key and token of its own; `alg` is the proofs' algorithm.
 */
async function handSetHeaders(world: WorldAddress, contender: Contender, scheme: HotPathScheme): Promise<{ headers: HandSetHeaders; alg?: string }> {
  if (scheme === 'Bearer') return { headers: { authorization: `Bearer ${(await requestToken(world, contender.id)).accessToken}` } }
  const bound = isTokenwarden(contender) ? await registeredBoundToken(contender.id) : await requestBoundToken(world, contender.id)
  return { headers: handMadeProof(world.resourceOrigin, bound), alg: bound.key.alg }
}

/** One block of an A/B side: `requests` requests, `concurrency` of them in flight. */
export type Block = (requests: number, concurrency: number) => Promise<LoadResult>

/** A side that sends with `send` in a closed loop. */
export function loop(send: Send): Block {
  return (requests, concurrency) => closedLoop(send, requests, concurrency)
}

/**
 * Rounds of A/B: each round is `BLOCKS` pairs of blocks, A then B, then B then A, and so on, so
 * that a change in the machine's load lasting longer than a block weighs on both sides alike; a
 * round's figures add its blocks up.
 */
export async function alternate(
  [handSet, withAuth]: readonly [Block, Block],
  requests: number,
  concurrency: number,
  rounds: number,
): Promise<Omit<HotPathRow, 'contender' | 'client' | 'mode' | 'rounds' | 'alg'>> {
  const block = Math.max(concurrency, Math.ceil(requests / BLOCKS))
  const run = (side: Block): Promise<LoadResult> => side(block, concurrency)
  const a: LoadResult[] = []
  const b: LoadResult[] = []
  for (let round = 0; round < rounds; round++) {
    const blocksA: LoadResult[] = []
    const blocksB: LoadResult[] = []
    for (let i = 0; i * block < requests; i++) {
      if (i % 2 === 0) {
        blocksA.push(await run(handSet))
        blocksB.push(await run(withAuth))
      } else {
        blocksB.push(await run(withAuth))
        blocksA.push(await run(handSet))
      }
    }
    a.push(combine(blocksA))
    b.push(combine(blocksB))
  }
  const paired = (ratio: (a: LoadResult, b: LoadResult) => number): number[] =>
    a.map((result, i) => ratio(result, b[i] as LoadResult))
  const ratios = paired((ra, rb) => throughput(rb) / throughput(ra))
  return {
    requests: a[0]?.requests ?? 0,
    handSet: median(a.map(throughput)),
    withAuth: median(b.map(throughput)),
    ratio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    handSetCpuMicros: median(a.map(cpuPerRequest)),
    withAuthCpuMicros: median(b.map(cpuPerRequest)),
    cpuRatio: median(paired((ra, rb) => cpuPerRequest(ra) / cpuPerRequest(rb))),
    failures: [...a, ...b].reduce((sum, r) => sum + r.failures, 0),
  }
}
