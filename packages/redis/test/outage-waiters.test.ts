import { TokenManager, fromFunction } from '@tokenwarden/core'
import { deferred, eventually } from '@tokenwarden/test-utils'
import { type OwnRedis, type TestClient, connectResilient, startOwnRedis, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.ts'

// Rules: this test stops a redis-server of its own, never the shared one.
let redis: OwnRedis
const prefix = testPrefix()
const clients: TestClient[] = []
const stores: RedisStore[] = []
const managers: TokenManager[] = []

beforeAll(async () => {
  redis = await startOwnRedis()
})

afterAll(async () => {
  redis?.resume()
  await Promise.all(managers.map((manager) => manager.close()))
  await Promise.all(stores.map((store) => store.close()))
  for (const client of clients) client.destroy()
  await redis?.stop()
})

/** 4 managers of credential `name`, as 4 processes; their source answers once `answer` resolves. */
async function fleet(name: string, answer: Promise<void>): Promise<{ managers: TokenManager[]; calls(): number; waiting(): number }> {
  let calls = 0
  let waiting = 0
  const members = await Promise.all(
    [0, 1, 2, 3].map(async (i) => {
      const client = await connectResilient(redis.url)
      clients.push(client)
      const store = redisStore({ client, keyPrefix: prefix, onEvent: (event) => void (event.type === 'lease-waited' && waiting++) })
      stores.push(store)
      const source = fromFunction(async () => {
        calls++
        await answer
        return { accessToken: `p${i}-token-${calls}`, expiresIn: 3600 }
      })
      const manager = new TokenManager({ name, source, store, prefetch: 'lazy' })
      managers.push(manager)
      return manager
    }),
  )
  return { managers: members, calls: () => calls, waiting: () => waiting }
}

/**
 * Every manager asks for its first token at once; once the lease holder is at its token endpoint,
 * `fail()` breaks Redis and the endpoint answers. Resolves with how each call ended: 'well before
 * the lease ran out' (under half of its 10 s; a waiter asks Redis again after 1 s at most), else
 * its duration or error.
 */
async function firstTokenThroughFailure(name: string, fail: () => Promise<void> | void): Promise<unknown[]> {
  const answer = deferred<void>()
  const { managers: members, calls, waiting } = await fleet(name, answer.promise)
  const started = performance.now()
  const waits = members.map((manager) =>
    manager.getToken().then(
      () => performance.now() - started,
      (error: unknown) => error,
    ),
  )
  // The lease holder is at its token endpoint; the 3 others wait for its token.
  await eventually(() => calls() === 1 && waiting() === 3)
  await fail()
  answer.resolve()
  return (await Promise.all(waits)).map((outcome) =>
    typeof outcome === 'number' && outcome < 5000 ? 'well before the lease ran out' : outcome,
  )
}

describe("processes waiting for a peer's token when Redis fails", () => {
  it('stop waiting once Redis is stopped, long before the lease (10 s) runs out', async () => {
    try {
      expect(await firstTokenThroughFailure('stopped', () => redis.stop())).toEqual(Array(4).fill('well before the lease ran out'))
    } finally {
      await redis.start()
    }
  }, 60_000)

  it('stop waiting once Redis hangs, long before the lease (10 s) runs out', async () => {
    try {
      expect(await firstTokenThroughFailure('hung', () => redis.hang())).toEqual(Array(4).fill('well before the lease ran out'))
    } finally {
      redis.resume()
    }
  }, 60_000)
})
