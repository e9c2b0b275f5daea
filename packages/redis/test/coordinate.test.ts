import type { TokenRecord } from '@tokenwarden/core'
import { ManualClock, deferred, eventually } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { type RedisClientLike, type RedisStore, type RedisStoreEvent, redisStore } from '../src/index.ts'
import { useStoreFleet } from './support/store-fleet.ts'
import { request, tokenRecord } from './support/store-inputs.ts'

const redis = useStoreFleet()
const { prefix, newStore, newKey, newClient, closeLater } = redis
const leaseKey = (key: string): string => `${prefix}{${key}}:lease`
/** The one channel of the file's stores: one subscription per store listening, whatever its keys. */
const channel = `${prefix}events`


describe('coordinate', () => {
  it('calls acquire exactly once for 6 stores on separate clients asking at once, and all get the same record', async () => {
    const fleet = await Promise.all(Array.from({ length: 6 }, () => newStore()))
    const key = newKey()
    let calls = 0
    const requests = fleet.map(() =>
      request(async () => {
        calls++
        await new Promise((resolve) => setTimeout(resolve, 30))
        return tokenRecord(`token-${calls}`)
      }),
    )
    const results = await Promise.all(fleet.map((store, i) => store.coordinate(key, requests[i]!)))
    expect(calls).toBe(1)
    expect(new Set(results.map((r) => r.record.accessToken))).toEqual(new Set(['token-1']))
    expect(results.filter((r) => r.acquired)).toHaveLength(1)
    expect(await redis.admin.exists(leaseKey(key))).toBe(0)
  })

  it('adopts a usable stored record without calling acquire', async () => {
    const [writer, reader] = [await newStore(), await newStore()]
    const key = newKey()
    await writer.set(key, tokenRecord('stored'))
    const asked = request(async () => tokenRecord('new'))
    const result = await reader.coordinate(key, asked)
    expect(result).toMatchObject({ acquired: false, record: { accessToken: 'stored' } })
    expect(asked.acquisitions).toBe(0)
  })

  it('replaces a stored record the request finds unusable, and peers then adopt the new one', async () => {
    const [a, b] = [await newStore(), await newStore()]
    const key = newKey()
    await a.set(key, tokenRecord('rejected'))
    const usable = (record: TokenRecord): boolean => record.accessToken !== 'rejected'
    const first = request(async () => tokenRecord('fresh'), { usable })
    expect(await a.coordinate(key, first)).toMatchObject({ acquired: true, record: { accessToken: 'fresh' } })
    const second = request(async () => tokenRecord('other'), { usable })
    expect(await b.coordinate(key, second)).toMatchObject({ acquired: false, record: { accessToken: 'fresh' } })
    expect(first.acquisitions + second.acquisitions).toBe(1)
    expect((await b.get(key))?.accessToken).toBe('fresh')
  })

  it('renews the lease while a slow acquire outlives it, so a waiting peer never acquires', async () => {
    const clock = new ManualClock(Date.now())
    const holder = await newStore({ lease: 1, clock })
    const peer = await newStore({ lease: 1, clock: new ManualClock(Date.now()) })
    const key = newKey()
    const slow = deferred<TokenRecord>()
    const held = request(() => slow.promise)
    const holding = holder.coordinate(key, held)
    await eventually(() => held.acquisitions === 1)
    const waiting = request(async () => tokenRecord('second'))
    const waiter = peer.coordinate(key, waiting)
    for (let renewal = 0; renewal < 4; renewal++) {
      // As if most of the lease had passed: only the holder's renewal gives it a full second again.
      await redis.admin.pExpire(leaseKey(key), 300)
      await clock.advance(334)
      await eventually(async () => (await redis.admin.pTTL(leaseKey(key))) > 600)
    }
    slow.resolve(tokenRecord('slow'))
    expect(await holding).toMatchObject({ acquired: true, record: { accessToken: 'slow' } })
    expect(await waiter).toMatchObject({ acquired: false, record: { accessToken: 'slow' } })
    expect(waiting.acquisitions).toBe(0)
  })

  it("replaces a crashed holder once its lease expires: waiters wait out the lease's remaining time, not a poll", async () => {
    const client = await newClient()
    let scripts = 0
    const counting: RedisClientLike = {
      sendCommand: (args) => {
        if (args[0] === 'EVALSHA' || args[0] === 'EVAL') scripts++
        return client.sendCommand(args)
      },
      duplicate: () => client.duplicate(),
    }
    const store = redisStore({ client: counting, keyPrefix: prefix })
    closeLater(store)
    const key = newKey()
    await redis.admin.set(leaseKey(key), '999', { PX: 200 }) // a holder that died without releasing
    const started = performance.now()
    const asked = request(async () => tokenRecord('after-crash'))
    expect(await store.coordinate(key, asked)).toMatchObject({ acquired: true, record: { accessToken: 'after-crash' } })
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    expect(asked.acquisitions).toBe(1)
    // held, held again once listening, (woken by the lease's expiry) lease, commit
    expect(scripts).toBe(4)
  })

  it('never lets a holder whose lease expired overwrite the newer record of the next holder (fencing)', async () => {
    const events: RedisStoreEvent[] = []
    const late = await newStore({ onEvent: (event) => events.push(event) })
    const next = await newStore()
    const key = newKey()
    const slow = deferred<TokenRecord>()
    const lateRequest = request(() => slow.promise)
    const lateHolding = late.coordinate(key, lateRequest)
    await eventually(() => lateRequest.acquisitions === 1)
    await redis.admin.del(leaseKey(key)) // the lease lapsed while the holder was paused
    expect(await next.coordinate(key, request(async () => tokenRecord('newer')))).toMatchObject({ acquired: true })
    slow.resolve(tokenRecord('older'))
    expect(await lateHolding).toMatchObject({ acquired: false, record: { accessToken: 'newer' } })
    expect((await next.get(key))?.accessToken).toBe('newer')
    expect(events).toContainEqual({ type: 'commit-failed', key })
  })

  it('lets a waiter acquire when the holder rejects, and the holder rethrows its own error', async () => {
    // The waiter's clock never moves: only the holder's release can wake it.
    const [a, b] = [await newStore(), await newStore({ clock: new ManualClock(Date.now()) })]
    const key = newKey()
    const failing = deferred<TokenRecord>()
    const first = request(() => failing.promise)
    const holding = a.coordinate(key, first)
    await eventually(() => first.acquisitions === 1)
    const second = request(async () => tokenRecord('by-waiter'))
    const waiter = b.coordinate(key, second)
    await eventually(async () => (await redis.admin.pubSubNumSub(channel))[channel] === 1)
    const boom = new Error('token endpoint down')
    failing.reject(boom)
    await expect(holding).rejects.toBe(boom)
    expect(await waiter).toMatchObject({ acquired: true, record: { accessToken: 'by-waiter' } })
    expect(second.acquisitions).toBe(1)
  })

  it("releases the lease when the holder's request aborts, and stops a waiter's wait when its own aborts", async () => {
    const [a, b] = [await newStore(), await newStore()]
    const key = newKey()
    const holderAbort = new AbortController()
    const first = request(() => new Promise<TokenRecord>(() => {}), { signal: holderAbort.signal })
    const holding = a.coordinate(key, first)
    await eventually(() => first.acquisitions === 1)
    const waiterAbort = new AbortController()
    const waiter = b.coordinate(key, request(async () => tokenRecord('never'), { signal: waiterAbort.signal }))
    await eventually(async () => (await redis.admin.pubSubNumSub(channel))[channel] === 1)
    waiterAbort.abort(new Error('waiter gave up'))
    await expect(waiter).rejects.toThrow('waiter gave up')
    holderAbort.abort(new Error('manager closed'))
    await expect(holding).rejects.toThrow('manager closed')
    expect(await redis.admin.exists(leaseKey(key))).toBe(0)
    expect(await b.coordinate(key, request(async () => tokenRecord('after')))).toMatchObject({ acquired: true })
  })

  it('releases the lease when acquire resolves with something that is not a record', async () => {
    const store = await newStore()
    const key = newKey()
    const broken = request(async () => ({}) as TokenRecord)
    await expect(store.coordinate(key, broken)).rejects.toBeInstanceOf(TypeError)
    expect(await redis.admin.exists(leaseKey(key))).toBe(0)
  })

  it('rejects calls after close with TOKEN_STORE_CLOSED, and close releases a lease it holds', async () => {
    const store = await newStore()
    const key = newKey()
    const held = request(() => new Promise<TokenRecord>(() => {}))
    const holding = store.coordinate(key, held)
    await eventually(() => held.acquisitions === 1)
    await store.close()
    await expect(holding).rejects.toMatchObject({ code: 'TOKEN_STORE_CLOSED' })
    expect(await redis.admin.exists(leaseKey(key))).toBe(0)
    await expect(store.get(key)).rejects.toMatchObject({ code: 'TOKEN_STORE_CLOSED' })
    await expect(store.coordinate(key, request(async () => tokenRecord('x')))).rejects.toMatchObject({
      code: 'TOKEN_STORE_CLOSED',
    })
  })
})
