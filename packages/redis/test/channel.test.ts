import { type TokenRecord, credentialPool, fromFunction } from '@tokenwarden/core'
import { ManualClock, deferred, eventually } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { type RedisClientLike, type RedisStoreEvent, redisStore } from '../src/index.ts'
import { useStoreFleet } from './support/store-fleet.ts'
import { request, tokenRecord } from './support/store-inputs.ts'

const redis = useStoreFleet()
const { prefix, newStore, newClient, closeLater } = redis
let prefixes = 0

/** A store under `keyPrefix` on a client of its own that counts the commands the store sends (pub/sub aside). */
async function countingStore(keyPrefix: string, options: Partial<Parameters<typeof redisStore>[0]> = {}) {
  const client = await newClient()
  const counted = { sent: 0 }
  const counting: RedisClientLike = {
    sendCommand: (args) => {
      counted.sent++
      return client.sendCommand([...args])
    },
    duplicate: () => client.duplicate(),
  }
  const store = redisStore({ client: counting, keyPrefix, ...options })
  closeLater(store)
  return Object.assign(counted, { store })
}
/** A key prefix of the test's own (under the file's, cleaned with it): a channel no other test uses. */
const ownPrefix = (): string => `${prefix}own-${++prefixes}:`
/** What Redis says of `keyPrefix`'s channels: every channel under it, and the subscribers of its events channel. */
async function channelsOf(keyPrefix: string): Promise<{ channels: string[]; subscribers: number | undefined }> {
  const channel = `${keyPrefix}events`
  const [channels, counts] = await Promise.all([redis.admin.pubSubChannels(`${keyPrefix}*`), redis.admin.pubSubNumSub(channel)])
  return { channels, subscribers: counts[channel] }
}

describe('the store channel', () => {
  it('is one subscription on the server for the watchers of 200 store keys, and ends with the last of them', async () => {
    const keyPrefix = ownPrefix()
    const store = await newStore({ keyPrefix })
    const stops = Array.from({ length: 200 }, (_, i) => store.watch(`tenant-${i}`, () => {}))
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    expect(await channelsOf(keyPrefix)).toEqual({ channels: [`${keyPrefix}events`], subscribers: 1 })
    for (const stop of stops.slice(1)) stop()
    expect(await channelsOf(keyPrefix)).toEqual({ channels: [`${keyPrefix}events`], subscribers: 1 })
    stops[0]!()
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 0)
    expect((await channelsOf(keyPrefix)).channels).toEqual([])
  })

  it("hands a message to its own key's listeners only, whatever characters the keys hold: one read per message", async () => {
    const keyPrefix = ownPrefix()
    const counted = await countingStore(keyPrefix)
    const [watcher, peer] = [counted.store, await newStore({ keyPrefix })]
    // Keys one of which begins or ends like another, or holds the message's separator or braces.
    const keys = ['k', 'k|1', '1|k', 'k|', '|k', 'k|1|2|3|4', 't{x}', 't{x}:token', 'üñí|çødé']
    const seen = new Map<string, string[]>(keys.map((key) => [key, []]))
    const stops = keys.map((key) => watcher.watch(key, (record) => seen.get(key)!.push(record.accessToken)))
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    for (const key of keys) await peer.set(key, tokenRecord(`for ${key}`))
    await eventually(() => [...seen.values()].every((tokens) => tokens.length >= 1))
    // One more message on the same connection: once it is heard, every earlier one was routed.
    const marker = deferred<void>()
    stops.push(watcher.watch('marker', () => marker.resolve()))
    await peer.set('marker', tokenRecord('marker'))
    await marker.promise
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(keys.map((key) => [key, [`for ${key}`]])))
    // Each message made its own key's watcher read the record, and no other watcher.
    expect(counted.sent).toBe(keys.length + 1)
    for (const stop of stops) stop()
  })

  it('keeps a key routed to its other listener when one of two stops, and a closed store ends its subscription and calls no watcher', async () => {
    const keyPrefix = ownPrefix()
    const [watcher, peer] = [await newStore({ keyPrefix }), await newStore({ keyPrefix })]
    const [first, second] = [[] as string[], [] as string[]]
    const stopFirst = watcher.watch('shared', (record) => first.push(record.accessToken))
    watcher.watch('shared', (record) => second.push(record.accessToken))
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    await peer.set('shared', tokenRecord('both'))
    await eventually(() => first.length === 1 && second.length === 1)
    stopFirst()
    await peer.set('shared', tokenRecord('second only'))
    await eventually(() => second.length === 2)
    expect([first, second]).toEqual([['both'], ['both', 'second only']])
    await watcher.close()
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 0)
    // A third store's write after the close: once the peer's watcher heard it, the closed one would have too.
    const heard = deferred<void>()
    peer.watch('shared', () => heard.resolve())
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    await (await newStore({ keyPrefix })).set('shared', tokenRecord('after close'))
    await heard.promise
    expect(second).toEqual(['both', 'second only'])
  })

  it('opens no breaker when the watches come in one synchronous burst longer than the deadline', async () => {
    const keyPrefix = ownPrefix()
    const events: RedisStoreEvent[] = []
    const store = await newStore({ keyPrefix, onEvent: (event) => events.push(event) })
    const stops = [store.watch('first', () => {})]
    // The caller's own work holds the event loop past the store's 250 ms deadline before it yields.
    const until = performance.now() + 600
    while (performance.now() < until) stops.push(store.watch(`burst-${stops.length}`, () => {}))
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    expect(events).toEqual([])
    expect(store.stats()).toMatchObject({ available: true, unavailable: 0 })
    for (const stop of stops) stop()
  })

  it("wakes no waiter of another key: a waiter sends nothing more until its own key's holder publishes", async () => {
    const keyPrefix = ownPrefix()
    const holder = await newStore({ keyPrefix })
    // The waiter's clock never moves: only a message can wake it.
    const counted = await countingStore(keyPrefix, { clock: new ManualClock(Date.now()) })
    const waiterStore = counted.store
    const slow = deferred<TokenRecord>()
    const held = request(() => slow.promise)
    const holding = holder.coordinate('held', held)
    await eventually(() => held.acquisitions === 1)
    const waiting = waiterStore.coordinate('held', request(async () => tokenRecord('never')))
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    // ACQUIRE (held), the subscription, ACQUIRE (held again): then the waiter sleeps.
    await eventually(() => counted.sent === 2)
    const heardOther = deferred<void>()
    const stop = waiterStore.watch('other', () => heardOther.resolve())
    await holder.set('other', tokenRecord('other'))
    await heardOther.promise
    // The watcher's read of 'other' is the only command sent since: the waiter stayed asleep.
    expect(counted.sent).toBe(3)
    slow.resolve(tokenRecord('by-holder'))
    expect(await holding).toMatchObject({ acquired: true })
    expect(await waiting).toMatchObject({ acquired: false, waited: true, record: { accessToken: 'by-holder' } })
    stop()
  })

  it('serves a pool of 2,000 keys on one RedisStore with one subscription, no breaker opened, and a peer token reaching its own key only', async () => {
    const keyPrefix = ownPrefix()
    const events: RedisStoreEvent[] = []
    const counted = await countingStore(keyPrefix, { onEvent: (event) => events.push(event) })
    const [store, peerStore] = [counted.store, await newStore({ keyPrefix })]
    let calls = 0
    const source = fromFunction(async () => ({ accessToken: `token-${++calls}`, expiresIn: 3600 }))
    const tenants = credentialPool({ name: 'tenants', template: () => ({ source, store }), max: 5_000 })
    const peers = credentialPool({ name: 'tenants', template: () => ({ source, store: peerStore }), max: 10 })
    closeLater(tenants)
    closeLater(peers)
    const managers = Array.from({ length: 2_000 }, (_, i) => tenants.get(`t${i}`))
    await eventually(async () => (await channelsOf(keyPrefix)).subscribers === 1)
    expect(await channelsOf(keyPrefix)).toEqual({ channels: [`${keyPrefix}events`], subscribers: 1 })
    const token = await peers.get('t7').getToken()
    await eventually(() => managers[7]!.peek()?.accessToken === token.accessToken)
    // A later message on the same connection: every manager but t7's heard none before it.
    await peers.get('t8').getToken()
    await eventually(() => managers[8]!.peek() !== undefined)
    expect(managers.flatMap((m, i) => (m.peek() === undefined ? [] : [i]))).toEqual([7, 8])
    expect(calls).toBe(2)
    // Making 2,000 managers sent nothing; each peer token, one read by its own key's watcher.
    expect(counted.sent).toBe(2)
    expect(await channelsOf(keyPrefix)).toEqual({ channels: [`${keyPrefix}events`], subscribers: 2 })
    expect(events.filter((e) => e.type === 'unavailable')).toEqual([])
    expect(store.stats()).toMatchObject({ available: true, unavailable: 0 })
  })
})
