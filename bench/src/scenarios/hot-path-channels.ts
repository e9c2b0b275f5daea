import diagnostics_channel from 'node:diagnostics_channel'
import { diagnosticsChannels } from '@tokenwarden/core'
import { type Contender, POOL_SIZE } from '../contenders/contender.ts'
import { closePools, openPools } from '../contenders/pools.ts'
import { closedLoop } from '../measure/load.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, HotPathRow } from '../report/results.ts'
import type { World } from '../world/world.ts'
import { type Block, HOT_PATH_TARGET, alternate, loop } from './hot-path.ts'
import { getData } from './requests.ts'

/**
 * The adapters measured: the two whose client does the least per request (table 1's CPU µs), where
 * a cost of core's publishing would show most. axios and got spend 4–5× more CPU of their own.
 */
const MEASURED: ReadonlySet<string> = new Set(['tokenwarden-undici', 'tokenwarden-fetch'])

/** Every channel core publishes on, a tracing channel's events included. */
const CHANNELS: readonly string[] = Object.values(diagnosticsChannels).flatMap((name) =>
  name === diagnosticsChannels.acquisition
    ? ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((event) => `tracing:${name}:${event}`)
    : [name],
)

/** Messages received on every channel while subscribed. */
let received = 0
const count = (): void => {
  received++
}

/** A side whose blocks run with a subscriber (counting messages) on every tokenwarden channel. */
function subscribed(side: Block): Block {
  return async (requests, concurrency) => {
    for (const name of CHANNELS) diagnostics_channel.subscribe(name, count)
    try {
      return await side(requests, concurrency)
    } finally {
      for (const name of CHANNELS) diagnostics_channel.unsubscribe(name, count)
    }
  }
}

/**
 * Scenario 1d: the hot path of table 1 (`GET /data`, token cached) through the same adapter, with
 * nobody subscribed to tokenwarden's diagnostics channels (A) and with a subscriber on every one
 * (B), in alternated blocks on the same pools. Each request served from memory publishes on
 * `tokenwarden:token:served` while subscribed: B's messages are checked to be at least its
 * requests, so a side that published nothing cannot pass for cheap. A is what table 1 holds to
 * its target against a hand-set header.
 */
export async function hotPathChannels(world: World, contenders: readonly Contender[], options: BenchOptions): Promise<{ rows: HotPathRow[]; checks: Check[] }> {
  const rows: HotPathRow[] = []
  const checks: Check[] = []
  const { requests, sequentialRequests, rounds, warmup } = options.hotPath
  for (const contender of contenders.filter((c) => MEASURED.has(c.id))) {
    const pools = openPools()
    const withAuth = await contender.withAuth(world.address, 'hot-path', pools)
    const send = getData(withAuth)
    await closedLoop(send, warmup, POOL_SIZE)
    for (const [mode, total, concurrency] of [
      ['concurrent', requests, POOL_SIZE],
      ['sequential', sequentialRequests, 1],
    ] as const) {
      received = 0
      const row = await alternate([loop(send), subscribed(loop(send))], total, concurrency, rounds)
      rows.push({ contender: contender.label, client: contender.client, mode, rounds, ...row })
      const name = `hot path with channels (${mode})`
      const sent = row.requests * rounds
      checks.push(
        { kind: 'correctness', scenario: name, contender: contender.label, figure: 'failures', expected: '0', actual: String(row.failures), ok: row.failures === 0 },
        {
          kind: 'correctness',
          scenario: name,
          contender: contender.label,
          figure: 'messages while subscribed',
          expected: `≥ ${sent}`,
          actual: String(received),
          ok: received >= sent,
        },
        {
          kind: 'target',
          scenario: name,
          contender: contender.label,
          figure: 'throughput ratio',
          expected: `≥ ${HOT_PATH_TARGET}`,
          actual: row.ratio.toFixed(3),
          ok: row.ratio >= HOT_PATH_TARGET,
        },
      )
    }
    await withAuth.close()
    await closePools(pools)
  }
  return { rows, checks }
}
