import { TokenManager, type TokenRecord, fromFunction } from '@tokenwarden/core'
import { SkippingClock, deferred, eventually } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.ts'
import { useStoreFleet } from './support/store-fleet.ts'
import { flakyClient, request, tokenRecord } from './support/store-inputs.ts'

const redis = useStoreFleet()
const { prefix, newStore, newKey, newClient, closeLater } = redis
/** The one channel of the file's stores, whatever the key. */
const channel = `${prefix}events`
const noCounts = {
  leasesWon: 0,
  leasesWaited: 0,
  adopted: 0,
  commitFailures: 0,
  unavailable: 0,
  recovered: 0,
  unreadableRecords: 0,
}


describe('RedisStore.stats', () => {
  it('counts the lease won by the holder, and the lease waited and the record adopted by its peer, which says it waited', async () => {
    const [holder, peer] = [await newStore(), await newStore()]
    const key = newKey()
    expect(holder.stats()).toEqual({ available: true, ...noCounts })
    const slow = deferred<TokenRecord>()
    const held = request(() => slow.promise)
    const holding = holder.coordinate(key, held)
    await eventually(() => held.acquisitions === 1)
    const waiting = peer.coordinate(key, request(async () => tokenRecord('never')))
    await eventually(async () => (await redis.admin.pubSubNumSub(channel))[channel] === 1)
    slow.resolve(tokenRecord('by-holder'))
    expect(await holding).toMatchObject({ acquired: true, waited: false })
    expect(await waiting).toMatchObject({ acquired: false, waited: true, record: { accessToken: 'by-holder' } })
    expect(holder.stats()).toEqual({ available: true, ...noCounts, leasesWon: 1 })
    expect(peer.stats()).toEqual({ available: true, ...noCounts, leasesWaited: 1, adopted: 1 })
  })

  it('says Redis is unavailable from a failed call until Redis answers again, counting both', async () => {
    const flaky = flakyClient(await newClient())
    const clock = new SkippingClock()
    const store = redisStore({ client: flaky.client, keyPrefix: prefix, clock })
    closeLater(store)
    const key = newKey()
    flaky.failing = true
    await expect(store.get(key)).rejects.toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
    expect(store.stats()).toMatchObject({ available: false, unavailable: 1, recovered: 0 })
    flaky.failing = false
    await expect(store.get(key)).rejects.toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
    expect(store.stats()).toMatchObject({ available: false, unavailable: 1 })
    clock.skipped += 10_000 // past the longest pause: the next call probes Redis
    await expect(store.get(key)).resolves.toBeUndefined()
    expect(store.stats()).toMatchObject({ available: true, unavailable: 1, recovered: 1 })
  })

  it('counts an unreadable record once, and a commit that lost to a newer record', async () => {
    const writer = await newStore({ encryption: { key: new Uint8Array(32).fill(1) } })
    const reader = await newStore({ encryption: { key: new Uint8Array(32).fill(2) } })
    const key = newKey()
    await writer.set(key, tokenRecord('sealed'))
    expect(await reader.get(key)).toBeUndefined()
    expect(await reader.get(key)).toBeUndefined()
    expect(reader.stats()).toMatchObject({ unreadableRecords: 1 })

    const [late, next] = [await newStore(), await newStore()]
    const fenced = newKey()
    const slow = deferred<TokenRecord>()
    const lateRequest = request(() => slow.promise)
    const lateHolding = late.coordinate(fenced, lateRequest)
    await eventually(() => lateRequest.acquisitions === 1)
    await redis.admin.del(`${prefix}{${fenced}}:lease`) // the lease lapsed while the holder was paused
    await next.coordinate(fenced, request(async () => tokenRecord('newer')))
    slow.resolve(tokenRecord('older'))
    expect(await lateHolding).toMatchObject({ acquired: false, record: { accessToken: 'newer' } })
    expect(late.stats()).toMatchObject({ leasesWon: 1, commitFailures: 1 })
  })
})

describe('TokenManagers sharing a Redis store', () => {
  it('report one lease won and the others waited, in their stats and in coordinated events', async () => {
    let calls = 0
    const outcomes: string[] = []
    const fleet = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const store = await newStore()
        const source = fromFunction(async () => {
          calls++
          await new Promise((resolve) => setTimeout(resolve, 200))
          return { accessToken: `token-${calls}`, expiresIn: 3600 }
        })
        const manager = new TokenManager({ name: 'counted', source, store, prefetch: 'lazy' })
        closeLater(manager)
        manager.subscribe((event) => event.type === 'coordinated' && outcomes.push(event.outcome))
        return manager
      }),
    )
    await Promise.all(fleet.map((manager) => manager.getToken()))
    expect(calls).toBe(1)
    expect(outcomes.sort()).toEqual(['lease-waited', 'lease-waited', 'lease-won'])
    const stats = fleet.map((manager) => manager.stats())
    expect(stats.map((s) => s.leasesWon).sort()).toEqual([0, 0, 1])
    expect(stats.map((s) => s.leasesWaited).sort()).toEqual([0, 1, 1])
  })
})
