import { TokenManager, refreshToken } from '@tokenwarden/core'
import { eventually } from '@tokenwarden/test-utils'
import { type LoopbackServer, listen, readBody, sendJson } from '@tokenwarden/test-utils/http'
import { type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RedisStore, redisStore } from '../src/index.ts'

const prefix = testPrefix()
const clients: TestClient[] = []
const stores: RedisStore[] = []
const managers: TokenManager[] = []
let admin: TestClient

/** Attempts to redeem each refresh token. The endpoint rotates them and refuses one redeemed twice. */
const redemptions = new Map<string, number>()
let latest = 'rt-0'
let issued = 0
let server: LoopbackServer
let tokenEndpoint = ''

beforeAll(async () => {
  admin = await connect()
  server = await listen(async (request, response) => {
    const presented = new URLSearchParams((await readBody(request)).toString()).get('refresh_token') ?? ''
    redemptions.set(presented, (redemptions.get(presented) ?? 0) + 1)
    if (presented !== latest) return sendJson(response, 400, { error: 'invalid_grant' })
    latest = `rt-${++issued}`
    sendJson(response, 200, { access_token: `access-${issued}`, token_type: 'Bearer', expires_in: 1, refresh_token: latest })
  })
  tokenEndpoint = server.url('/token')
})

afterAll(async () => {
  await Promise.all(managers.map((manager) => manager.close()))
  await Promise.all(stores.map((store) => store.close()))
  await server.close()
  await cleanPrefix(admin, prefix)
  for (const client of [...clients, admin]) client.destroy()
})

/** A process of the fleet, configured as all are with the refresh token of the first sign-in. */
async function process(): Promise<TokenManager> {
  const client = await connect()
  clients.push(client)
  const store = redisStore({ client, keyPrefix: prefix })
  stores.push(store)
  const source = refreshToken({ tokenEndpoint, clientId: 'crm', clientSecret: 'secret', clientAuth: 'client_secret_post', refreshToken: 'rt-0' })
  const manager = new TokenManager({ name: 'crm', source, store, prefetch: 'lazy' })
  managers.push(manager)
  return manager
}

describe('a rotated refresh token stored in Redis', () => {
  it('outlives the access token stored with it: a process started after that access token expired goes on from it, never from the spent one', async () => {
    const first = await process()
    const token = await first.getToken() // redeems rt-0, stores access-1 (1 s) with rt-1
    await eventually(() => Date.now() > (token.expiresAt ?? 0), 5000)
    expect(await admin.exists(`${prefix}{crm}:token`)).toBe(1)
    const later = await process() // a new pod, or a restarted one
    await expect(later.getToken()).resolves.toMatchObject({ accessToken: 'access-2' })
    expect(redemptions.get('rt-0')).toBe(1)
  })
})
