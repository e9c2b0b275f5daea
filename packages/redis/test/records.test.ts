import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import type { TokenRecord } from '@tokenwarden/core'
import { deferred, eventually } from '@tokenwarden/test-utils'
import { keysUnder } from '@tokenwarden/test-utils/redis'
import { describe, expect, it } from 'vitest'
import { type RedisStore, type RedisStoreEvent, redisStore } from '../src/index.ts'
import { useStoreFleet } from './support/store-fleet.ts'
import { request, tokenRecord } from './support/store-inputs.ts'

const redis = useStoreFleet()
const { prefix, newStore, newKey, newClient, closeLater } = redis
const tokenKey = (key: string): string => `${prefix}{${key}}:token`


describe('records', () => {
  it('stores a record under one hash tag, with a Redis expiry of its remaining lifetime, and deletes it', async () => {
    const store = await newStore()
    const key = newKey()
    const record = { ...tokenRecord('access', Date.now(), 60_000), refreshToken: undefined }
    await store.set(key, record)
    expect(await store.get(key)).toEqual(record)
    const ttl = await redis.admin.pTTL(tokenKey(key))
    expect(ttl).toBeGreaterThan(55_000)
    expect(ttl).toBeLessThanOrEqual(60_000)
    expect((await keysUnder(redis.admin, `${prefix}{${key}}`)).sort()).toEqual([`${prefix}{${key}}:fence`, tokenKey(key)])
    await store.delete(key)
    expect(await store.get(key)).toBeUndefined()
  })

  it('keeps a record that holds a refresh token past its access token: no Redis expiry', async () => {
    const store = await newStore()
    const key = newKey()
    await store.set(key, tokenRecord('rotating', Date.now(), 60_000))
    expect(await redis.admin.pTTL(tokenKey(key))).toBe(-1)
  })

  it('keeps a record without an expiry until it is replaced', async () => {
    const store = await newStore()
    const key = newKey()
    await store.set(key, { ...tokenRecord('forever'), expiresAt: undefined })
    expect(await redis.admin.pTTL(tokenKey(key))).toBe(-1)
  })
})

describe('invalidateIfSame', () => {
  it("deletes the stored record while it is still the rejected one, across stores, and a late report with an older token deletes nothing", async () => {
    const [a, b] = [await newStore(), await newStore()]
    const key = newKey()
    const old = tokenRecord('old')
    await a.set(key, old)
    expect(await b.invalidateIfSame(key, old)).toBe(true)
    expect(await a.get(key)).toBeUndefined()
    const current = tokenRecord('current')
    await a.set(key, current)
    expect(await b.invalidateIfSame(key, old)).toBe(false)
    expect((await a.get(key))?.accessToken).toBe('current')
    expect(await a.invalidateIfSame(newKey(), old)).toBe(false)
  })

  it('matches a record written with a previous encryption key after a rotation', async () => {
    const [oldKey, newKeyBytes] = [randomBytes(32), randomBytes(32)]
    const before = await newStore({ encryption: { key: oldKey } })
    const after = await newStore({ encryption: { key: newKeyBytes, previousKeys: [oldKey] } })
    const key = newKey()
    const record = tokenRecord('rotated')
    await before.set(key, record)
    expect(await after.invalidateIfSame(key, record)).toBe(true)
  })
})

describe('watch', () => {
  it("delivers the records peers store, read after their message, and never the store's own", async () => {
    const [watcher, peer] = [await newStore(), await newStore()]
    const [key, other] = [newKey(), newKey()]
    const seen: TokenRecord[] = []
    const seenOther: TokenRecord[] = []
    const stops = [watcher.watch(key, (record) => seen.push(record)), watcher.watch(other, (r) => seenOther.push(r))]
    const channel = `${prefix}events`
    await eventually(async () => (await redis.admin.pubSubNumSub(channel))[channel] === 1)
    await peer.set(key, tokenRecord('peer-set'))
    await eventually(() => seen.length === 1)
    await peer.coordinate(key, request(async () => tokenRecord('peer-acquired'), { usable: () => false }))
    await eventually(() => seen.length === 2)
    expect(seen.map((r) => r.accessToken)).toEqual(['peer-set', 'peer-acquired'])
    // Messages reach the watcher's one connection in order: once the later one is delivered, the
    // earlier one (its own commit) was heard, and ignored.
    await watcher.set(key, tokenRecord('own'))
    await peer.set(other, tokenRecord('marker'))
    await eventually(() => seenOther.length === 1)
    expect(seen.map((r) => r.accessToken)).toEqual(['peer-set', 'peer-acquired'])
    for (const stop of stops) stop()
    await eventually(async () => (await redis.admin.pubSubNumSub(channel))[channel] === 0)
  })

  it('shares one subscription between the listeners of a key', async () => {
    const [watcher, peer] = [await newStore(), await newStore()]
    const key = newKey()
    const seen = deferred<string>()
    const stops = [watcher.watch(key, () => {}), watcher.watch(key, (record) => seen.resolve(record.accessToken))]
    const channel = `${prefix}events`
    await eventually(async () => (await redis.admin.pubSubNumSub(channel))[channel] === 1)
    await peer.set(key, tokenRecord('shared'))
    expect(await seen.promise).toBe('shared')
    for (const stop of stops) stop()
  })
})

describe('encryption at rest', () => {
  it('stores neither the access nor the refresh token in clear, and opens with the key', async () => {
    const key = randomBytes(32)
    const store = await newStore({ encryption: { key } })
    const storeKey = newKey()
    const record = tokenRecord('secret-access-token-value')
    await store.set(storeKey, record)
    const raw = JSON.stringify(await redis.admin.hGetAll(tokenKey(storeKey)))
    expect(raw).not.toContain('secret-access-token-value')
    expect(raw).not.toContain('refresh-of-')
    expect(await store.get(storeKey)).toEqual(record)
  })

  it('decrypts records written with a previous key, and treats a wrong key as absent, reported once', async () => {
    const [oldKey, currentKey, wrongKey] = [randomBytes(32), randomBytes(32), randomBytes(32)]
    const writer = await newStore({ encryption: { key: oldKey } })
    const rotated = await newStore({ encryption: { key: currentKey, previousKeys: [oldKey] } })
    const events: RedisStoreEvent[] = []
    const wrong = await newStore({ encryption: { key: wrongKey }, onEvent: (event) => events.push(event) })
    const plain = await newStore()
    const storeKey = newKey()
    await writer.set(storeKey, tokenRecord('rotation'))
    expect((await rotated.get(storeKey))?.accessToken).toBe('rotation')
    expect(await wrong.get(storeKey)).toBeUndefined()
    expect(await wrong.get(storeKey)).toBeUndefined()
    expect(await plain.get(storeKey)).toBeUndefined()
    expect(events.filter((e) => e.type === 'unreadable')).toEqual([{ type: 'unreadable', key: storeKey }])
    const asked = request(async () => tokenRecord('by-wrong-key'))
    expect(await wrong.coordinate(storeKey, asked)).toMatchObject({ acquired: true })
    expect(asked.acquisitions).toBe(1)
  })

  it('does not open a record copied to another key (the key name is authenticated)', async () => {
    const key = randomBytes(32)
    const store = await newStore({ encryption: { key } })
    const [from, to] = [newKey(), newKey()]
    await store.set(from, tokenRecord('copied'))
    const stored = await redis.admin.hGetAll(tokenKey(from))
    await redis.admin.hSet(tokenKey(to), stored)
    expect(await store.get(to)).toBeUndefined()
  })

  it('treats a plaintext record as absent when a key is set', async () => {
    const plain = await newStore()
    const encrypted = await newStore({ encryption: { key: randomBytes(32) } })
    const storeKey = newKey()
    await plain.set(storeKey, tokenRecord('planted'))
    expect(await encrypted.get(storeKey)).toBeUndefined()
  })
})

describe('secrets', () => {
  it('shows no token or key in util.inspect, JSON, events or errors', async () => {
    const key = randomBytes(32)
    const events: RedisStoreEvent[] = []
    const store = await newStore({ encryption: { key }, onEvent: (event) => events.push(event) })
    const storeKey = newKey()
    await store.coordinate(storeKey, request(async () => tokenRecord('hidden-token')))
    const shown = [inspect(store, { depth: 10, showHidden: true }), JSON.stringify(store), JSON.stringify(events)]
    for (const text of shown) {
      expect(text).not.toContain('hidden-token')
      expect(text).not.toContain(key.toString('hex'))
      expect(text).not.toContain(key.toString('base64'))
    }
  })
})
