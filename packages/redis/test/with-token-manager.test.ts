import { TokenManager, fromFunction } from '@tokenwarden/core'
import { eventually } from '@tokenwarden/test-utils'
import { type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.ts'

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

/** `n` managers of one credential, each with its own client, store and source, as `n` processes; a key prefix (a channel) per fleet. */
async function fleet(n: number, name: string): Promise<{ managers: TokenManager[]; calls(): number }> {
  let calls = 0
  const members = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const client = await connect()
      clients.push(client)
      const store = redisStore({ client, keyPrefix: `${prefix}${name}:` })
      stores.push(store)
      const source = fromFunction(async () => {
        calls++
        return { accessToken: `p${i}-token-${calls}`, expiresIn: 3600 }
      })
      const manager = new TokenManager({ name, source, store, prefetch: 'lazy' })
      managers.push(manager)
      return manager
    }),
  )
  return { managers: members, calls: () => calls }
}

describe('TokenManagers sharing a Redis store', () => {
  it('make one token request for the first token of 4 processes and one for a fleet-wide 401', async () => {
    const { managers: fleetManagers, calls } = await fleet(4, 'graph')
    const first = await Promise.all(fleetManagers.map((m) => m.getToken()))
    expect(calls()).toBe(1)
    expect(new Set(first.map((t) => t.accessToken)).size).toBe(1)
    const replaced = await Promise.all(fleetManagers.map((m, i) => m.reacquire(first[i]!)))
    expect(calls()).toBe(2)
    expect(new Set(replaced.map((t) => t.accessToken)).size).toBe(1)
  })

  it("adopts a peer's forced refresh through watch, without a token request", async () => {
    const { managers: [a, b], calls } = await fleet(2, 'watched')
    await Promise.all([a!.getToken(), b!.getToken()])
    const channel = `${prefix}watched:events`
    await eventually(async () => (await admin.pubSubNumSub(channel))[channel] === 2)
    const refreshed = await a!.refresh()
    await eventually(() => b!.peek()?.accessToken === refreshed.accessToken)
    expect(calls()).toBe(2)
  })
})
