import { TokenManager, fromFunction } from '@tokenwarden/core'
import { SkippingClock, eventually } from '@tokenwarden/test-utils'
import {
  type OwnRedis,
  type TestClient,
  cleanPrefix,
  connectResilient,
  startOwnRedis,
  testPrefix,
} from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisClientLike, type RedisStore, breakerDefaults, redisStore } from '../src/index.ts'
import { timed } from './support/timed.ts'

// Rules: these tests stop, hang and restart a redis-server of their own, never the shared one.
// The stores' clock is the system clock plus an offset the tests move forward to end the breaker's
// pause at once; deadlines and leases run on real timers.
let redis: OwnRedis
let admin: TestClient
const prefix = testPrefix()
const clients: TestClient[] = []
const stores: RedisStore[] = []
const managers: TokenManager[] = []

/** The stores' deadline: the default, so that a busy machine does not miss it on a healthy Redis. */
const DEADLINE_MS = 250
/** No call waits past a few deadlines: a Redis call without one would wait until the test's timeout. */
const BOUND_MS = 8 * DEADLINE_MS

interface Member {
  readonly manager: TokenManager
  readonly store: RedisStore
  readonly client: TestClient
  readonly clock: SkippingClock
  /** Commands the store sent through its client (pub/sub aside). */
  commands: number
}

/**
 * `n` managers of credential `name`, each with its own client, store and clock, as `n` processes;
 * one source call counter. Each fleet has a key prefix, so a channel of its own.
 */
async function fleet(n: number, name: string, expiresIn = 3600): Promise<{ members: Member[]; calls(): number }> {
  let calls = 0
  const members = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const client = await connectResilient(redis.url)
      clients.push(client)
      const clock = new SkippingClock()
      const member = { client, clock, commands: 0 } as Member
      const counting: RedisClientLike = {
        sendCommand: (args) => {
          member.commands++
          return client.sendCommand([...args])
        },
        duplicate: () => client.duplicate(),
      }
      const store = redisStore({ client: counting, keyPrefix: `${prefix}${name}:`, timeout: DEADLINE_MS / 1000, clock })
      stores.push(store)
      const source = fromFunction(async () => {
        calls++
        return { accessToken: `${name}-p${i}-token-${calls}`, expiresIn }
      })
      const manager = new TokenManager({ name, source, store, prefetch: 'lazy' })
      managers.push(manager)
      return Object.assign(member, { manager, store })
    }),
  )
  return { members, calls: () => calls }
}

/** Settles `promise`; tells how long it took and how it ended. */

/**
 * While Redis fails: each member, at once, 20 `getToken`, then 20 `refresh`, then 20 `reacquire`
 * of the token it holds. Returns every call's outcome and the source calls each phase made.
 */
async function workThroughOutage(members: readonly Member[], calls: () => number) {
  const outcomes: { ms: number; error: unknown }[] = []
  const sourceCalls: Record<string, number> = {}
  const phases: [string, (m: Member) => Promise<unknown>][] = [
    ['getToken', (m) => m.manager.getToken()],
    ['refresh', (m) => m.manager.refresh()],
    ['reacquire', (m) => m.manager.reacquire(m.manager.peek() as NonNullable<ReturnType<TokenManager['peek']>>)],
  ]
  for (const [phase, call] of phases) {
    const before = calls()
    const held = members.map((m) => m.manager.peek())
    outcomes.push(...(await Promise.all(members.flatMap((m) => Array.from({ length: 20 }, () => timed(() => call(m)))))))
    sourceCalls[phase] = calls() - before
    if (phase !== 'getToken') members.forEach((m, i) => expect(m.manager.peek()).not.toBe(held[i]))
  }
  return { outcomes, sourceCalls }
}

/**
 * Waits, a bounded time, until every member's client is connected again; ends each store's breaker
 * pause (past the longest one) and waits until each store answers.
 */
async function untilCoordinating(members: readonly Member[], key: string): Promise<void> {
  await eventually(() => members.every((m) => m.client.isReady), 5000)
  for (const m of members) m.clock.skipped += breakerDefaults.maxPauseInMs + 1
  for (const m of members) await eventually(() => m.store.get(key).then(() => true, () => false), 5000)
}

/**
 * Every member forces a refresh at once; the source calls made and the tokens they end on. With
 * `until1`, tries up to 3 times until a refresh costs 1 source call (a store call that misses its
 * deadline on a busy machine makes a process acquire alone, by design).
 */
async function fleetWideRefresh(
  members: readonly Member[],
  calls: () => number,
  until1 = false,
): Promise<{ requests: number; tokens: Set<string> }> {
  for (let attempt = 1; ; attempt++) {
    const before = calls()
    const tokens = await Promise.all(members.map((m) => m.manager.refresh()))
    const result = { requests: calls() - before, tokens: new Set(tokens.map((t) => t.accessToken)) }
    if (!until1 || result.requests === 1 || attempt === 3) return result
  }
}

beforeAll(async () => {
  redis = await startOwnRedis()
  admin = await connectResilient(redis.url)
})

afterAll(async () => {
  redis?.resume()
  await Promise.all(managers.map((manager) => manager.close()))
  await Promise.all(stores.map((store) => store.close()))
  if (admin !== undefined) await cleanPrefix(admin, prefix).catch(() => {})
  for (const client of [...clients, admin]) client?.destroy()
  await redis?.stop()
})

describe('TokenManagers sharing a Redis store when Redis fails', () => {
  it('serve every getToken, refresh and reacquire while Redis is stopped, each process on its own single flight, then coordinate again after it restarts', async () => {
    const { members, calls } = await fleet(4, 'stopped')
    await Promise.all(members.map((m) => m.manager.getToken()))
    expect(calls()).toBe(1)
    await redis.stop()
    const { outcomes, sourceCalls } = await workThroughOutage(members, calls)
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([])
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(BOUND_MS)
    expect(sourceCalls).toEqual({ getToken: 0, refresh: 4, reacquire: 4 })

    await redis.start()
    await untilCoordinating(members, 'stopped')
    const { requests, tokens } = await fleetWideRefresh(members, calls, true)
    expect(requests).toBe(1)
    expect(tokens.size).toBe(1)
  })

  it('serve every getToken, refresh and reacquire while Redis is hung, each Redis call ended by its deadline, then coordinate again once it answers', async () => {
    const { members, calls } = await fleet(4, 'hung')
    await Promise.all(members.map((m) => m.manager.getToken()))
    expect(calls()).toBe(1)
    redis.hang()
    let outage: Awaited<ReturnType<typeof workThroughOutage>>
    try {
      outage = await workThroughOutage(members, calls)
    } finally {
      redis.resume()
    }
    const { outcomes, sourceCalls } = outage
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([])
    // A refresh waits for one Redis call at most (the breaker then fails the others fast): its deadline.
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeGreaterThanOrEqual(DEADLINE_MS - 5)
    expect(Math.max(...outcomes.map((o) => o.ms))).toBeLessThan(BOUND_MS)
    expect(sourceCalls).toEqual({ getToken: 0, refresh: 4, reacquire: 4 })

    await untilCoordinating(members, 'hung')
    // Redis kept the record stored before it hung: the first refresh brings every process onto one
    // token (that record, or one acquired once); from then on each fleet-wide refresh costs 1.
    const settled = await fleetWideRefresh(members, calls)
    expect(settled.requests).toBeLessThanOrEqual(1)
    expect(settled.tokens.size).toBe(1)
    const { requests, tokens } = await fleetWideRefresh(members, calls, true)
    expect(requests).toBe(1)
    expect(tokens.size).toBe(1)
  })

  it('send Redis no command for 1,000 getToken calls per process while the token is fresh', async () => {
    const { members, calls } = await fleet(4, 'fresh')
    await Promise.all(members.map((m) => m.manager.getToken()))
    const channel = `${prefix}fresh:events`
    await eventually(async () => (await admin.pubSubNumSub(channel))[channel] === 4)
    const processed = async (): Promise<number> => Number(/total_commands_processed:(\d+)/.exec(await admin.info('stats'))?.[1])
    const idle = -(await processed()) + (await processed()) // what the INFO calls themselves count
    const sentBefore = members.map((m) => m.commands)
    const before = await processed()
    for (const m of members) for (let i = 0; i < 1000; i++) await m.manager.getToken()
    const after = await processed()
    expect(members.map((m, i) => m.commands - (sentBefore[i] as number))).toEqual([0, 0, 0, 0])
    expect(after - before).toBe(idle)
    expect(calls()).toBe(1)
  })
})
