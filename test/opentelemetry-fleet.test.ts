import { TokenManager, fromFunction } from '@tokenwarden/core'
import { attributeNames as a, metricNames as m } from '@tokenwarden/opentelemetry'
import { type RedisStore, redisStore } from '@tokenwarden/redis'
import { eventually } from '@tokenwarden/test-utils'
import { type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { total, useTelemetry } from '../packages/opentelemetry/test/support/telemetry.ts'

const prefix = testPrefix()
const clients: TestClient[] = []
const stores: RedisStore[] = []
const managers: TokenManager[] = []
let admin: TestClient

beforeAll(async () => {
  admin = await connect()
})

afterAll(async () => {
  await Promise.all(managers.map((manager) => manager.close()))
  await Promise.all(stores.map((store) => store.close()))
  await cleanPrefix(admin, prefix)
  for (const client of [...clients, admin]) client.destroy()
})

/** A manager of credential `name` on a Redis client and store of its own, as one process of a fleet would have. */
async function member(name: string, source: ReturnType<typeof fromFunction>): Promise<TokenManager> {
  const client = await connect()
  clients.push(client)
  const store = redisStore({ client, keyPrefix: prefix })
  stores.push(store)
  const manager = new TokenManager({ name, source, store, prefetch: 'lazy' })
  managers.push(manager)
  return manager
}

describe('a fleet on Redis, instrumented', () => {
  it('counts the lease won by the process that called its source and the lease waited by its peer', async () => {
    const telemetry = useTelemetry()
    let calls = 0
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const source = fromFunction(async () => {
      calls++
      await held
      return { accessToken: `fleet-token-${calls}`, expiresIn: 3600 }
    })
    const [first, second] = [await member('orders', source), await member('orders', source)]
    const tokens = [first.getToken(), second.getToken()]
    await eventually(() => stores.some((store) => store.stats().leasesWaited === 1))
    release()
    await Promise.all(tokens)
    expect(calls).toBe(1)
    const outcomes = await telemetry.points(m.leaseOutcomes)
    expect(total(outcomes, { [a.credential]: 'orders', [a.leaseOutcome]: 'lease-won' })).toBe(1)
    expect(total(outcomes, { [a.credential]: 'orders', [a.leaseOutcome]: 'lease-waited' })).toBe(1)
    const acquisitions = await telemetry.points(m.acquisitions)
    expect(total(acquisitions, { [a.outcome]: 'lease-won' })).toBe(1)
    expect(total(acquisitions, { [a.outcome]: 'lease-waited' })).toBe(1)
  })
})
