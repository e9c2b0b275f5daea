import { type Token, TokenManager, fromFunction } from '@tokenwarden/core'
import { SkippingClock, eventually } from '@tokenwarden/test-utils'
import { type OwnRedis, type TestClient, connectResilient, startOwnRedis, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisClientLike, type RedisStore, breakerDefaults, redisStore } from '../src/index.ts'

// Rules: this test runs a redis-server of its own; each process's link to it can be cut (its
// commands fail, as in a network partition) while Redis keeps its data.
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

describe('a token rejected while the processes could not reach Redis', () => {
  it('is not adopted again from Redis once Redis answers: a forced refresh never goes back to a token the process replaced', async () => {
    let cut = false
    let calls = 0
    const fleet = await Promise.all(
      [0, 1].map(async (i) => {
        const client = await connectResilient(redis.url)
        clients.push(client)
        const clock = new SkippingClock()
        const link: RedisClientLike = {
          sendCommand: (args) => (cut ? Promise.reject(new Error('the link to Redis is cut')) : client.sendCommand([...args])),
          duplicate: () => client.duplicate(),
        }
        const store = redisStore({ client: link, keyPrefix: prefix, timeout: 0.1, clock })
        stores.push(store)
        const source = fromFunction(async () => ({ accessToken: `p${i}-token-${++calls}`, expiresIn: 3600 }))
        const manager = new TokenManager({ name: 'revoked', source, store, prefetch: 'lazy' })
        managers.push(manager)
        return { manager, store, client, clock }
      }),
    )
    const [first] = await Promise.all(fleet.map((m) => m.manager.getToken()))
    const rejected = first as Token
    expect(calls).toBe(1)

    cut = true // the API revokes the token while no process reaches Redis: a 401 in every process
    await Promise.all(fleet.map((m) => m.manager.reacquire(rejected)))
    expect(calls).toBe(3) // each process on its own: fine
    cut = false

    for (const m of fleet) m.clock.skipped += breakerDefaults.maxPauseInMs + 1
    for (const m of fleet) await eventually(() => m.store.get('revoked').then(() => true, () => false), 5000)

    const refreshed = await Promise.all(fleet.map((m) => m.manager.refresh()))
    expect(refreshed.map((token) => token.accessToken)).not.toContain(rejected.accessToken)
  })
})
