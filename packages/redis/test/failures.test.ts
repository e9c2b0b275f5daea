import type { TokenRecord } from '@tokenwarden/core'
import { ManualClock, eventually } from '@tokenwarden/test-utils'
import { type OwnRedis, type TestClient, connectResilient, startOwnRedis, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisStore, type RedisStoreEvent, redisStore } from '../src/index.ts'
import { request, tokenRecord } from './support/store-inputs.ts'
import { timed } from './support/timed.ts'

// Rules: these tests hang, kill and restart a redis-server of their own, never the shared one.
let redis: OwnRedis
let admin: TestClient
const clients: TestClient[] = []
const stores: RedisStore[] = []
let keyCount = 0
const prefix = testPrefix()

async function newStore(options: Partial<Parameters<typeof redisStore>[0]> = {}): Promise<RedisStore> {
  const client = await connectResilient(redis.url)
  clients.push(client)
  const store = redisStore({ client, keyPrefix: prefix, ...options })
  stores.push(store)
  return store
}

const newKey = (): string => `cred-${++keyCount}`

/** Settles `promise` and tells how long it took and how it ended. */

beforeAll(async () => {
  redis = await startOwnRedis()
  admin = await connectResilient(redis.url)
})

afterAll(async () => {
  redis?.resume()
  await Promise.all(stores.map((store) => store.close()))
  for (const client of [...clients, admin]) client?.destroy()
  await redis?.stop()
})

describe('a hung Redis', () => {
  it('rejects each call within its own deadline with TOKEN_STORE_UNAVAILABLE, then fails fast, then coordinates again once Redis answers', async () => {
    const fleet = await Promise.all(Array.from({ length: 4 }, () => newStore({ timeout: 0.1 })))
    const key = newKey()
    await fleet[0]!.get(key) // connected and answered once
    redis.hang()
    try {
      const calls = [
        () => fleet[0]!.get(key),
        () => fleet[1]!.set(key, tokenRecord('while-hung')),
        () => fleet[2]!.coordinate(key, request(async () => tokenRecord('while-hung'))),
        () => fleet[3]!.invalidateIfSame(key, tokenRecord('while-hung')),
      ]
      const results = await Promise.all(calls.map(timed))
      for (const { ms, error } of results) {
        expect(error).toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE', transient: true })
        expect(ms).toBeGreaterThanOrEqual(95)
        expect(ms).toBeLessThan(1000)
      }
      const fast = await timed(() => fleet[0]!.get(key))
      expect(fast.error).toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
      expect(fast.ms).toBeLessThan(50)
    } finally {
      redis.resume()
    }
    let result: { acquired: boolean; record: TokenRecord } | undefined
    await eventually(async () => {
      const fresh = request(async () => tokenRecord('after'), { usable: (record) => record.accessToken === 'after' })
      result = await fleet[0]!.coordinate(key, fresh).catch(() => undefined)
      return result !== undefined
    }, 5000)
    expect(result?.record.accessToken).toBe('after')
  })

  it('pauses after a failure and lets one probe through after the pause, then closes (time from a test clock)', async () => {
    const clock = new ManualClock(Date.now())
    const events: RedisStoreEvent[] = []
    const store = await newStore({ clock, onEvent: (event) => events.push(event) })
    const key = newKey()
    await store.get(key)
    redis.hang()
    try {
      const hung = expect(store.get(key)).rejects.toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
      await clock.advance(250)
      await hung
      await clock.advance(400) // under the shortest pause (500 ms): still failing fast
      await expect(store.get(key)).rejects.toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
    } finally {
      redis.resume()
    }
    await clock.advance(600) // past the longest first pause (1,000 ms)
    await expect(store.get(key)).resolves.toBeUndefined()
    await expect(store.set(key, tokenRecord('resumed'))).resolves.toBeUndefined()
    expect(events).toEqual([{ type: 'unavailable' }, { type: 'recovered' }])
  })

  it('releases a lease that Redis granted after the deadline, so nobody waits on it', async () => {
    const clock = new ManualClock(Date.now())
    const store = await newStore({ clock })
    const key = newKey()
    await store.get(key)
    redis.hang()
    let coordinating: Promise<unknown>
    try {
      coordinating = store.coordinate(key, request(async () => tokenRecord('late')))
      coordinating.catch(() => {})
      await clock.advance(250)
    } finally {
      redis.resume()
    }
    await expect(coordinating).rejects.toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
    await eventually(
      async () =>
        (await admin.hGet(`${prefix}{${key}}:fence`, 'issued')) === '1' &&
        (await admin.exists(`${prefix}{${key}}:lease`)) === 0,
    )
  })
})

describe('a stopped Redis', () => {
  it('rejects at once while Redis is down, then coordinates again after it restarts, and a watcher gets the record published while it reconnected', async () => {
    const [watcher, peer] = [await newStore(), await newStore()]
    const key = newKey()
    const seen: string[] = []
    watcher.watch(key, (record) => seen.push(record.accessToken))
    const channel = `${prefix}events`
    await eventually(async () => (await admin.pubSubNumSub(channel))[channel] === 1)
    await peer.set(key, tokenRecord('before'))
    await eventually(() => seen.length === 1)
    await redis.stop()
    const down = await timed(() => peer.coordinate(key, request(async () => tokenRecord('while-down'), { usable: () => false })))
    expect(down.error).toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
    expect(down.ms).toBeLessThan(1000)
    await redis.start()
    const fresh = request(async () => tokenRecord('after-restart'), { usable: () => false })
    await eventually(async () => (await peer.coordinate(key, fresh).catch(() => undefined)) !== undefined, 5000)
    expect(fresh.acquisitions).toBe(1)
    await eventually(() => seen.includes('after-restart'), 5000)
  })
})
