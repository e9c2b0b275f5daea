import { eventually } from '@tokenwarden/test-utils'
import { type LoopbackServer, listen, sendJson } from '@tokenwarden/test-utils/http'
import { REDIS_URL, type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pod } from './fleet/pod.ts'

/** Lifetime of every token, s: the default windows renew it about 2.4 s after it was issued. */
const LIFETIME_S = 3
const prefix = testPrefix()

/** When each token request came (ms since the server started), in order. */
const requests: number[] = []
const started = performance.now()
let server: LoopbackServer
let admin: TestClient
let endpoint = ''
const pods: Pod[] = []

beforeAll(async () => {
  admin = await connect()
  server = await listen((request, response) => {
    request.resume()
    request.on('end', () => {
      requests.push(performance.now() - started)
      sendJson(response, 200, { access_token: `renewed-${requests.length}`, token_type: 'Bearer', expires_in: LIFETIME_S })
    })
  })
  endpoint = server.url('/token')
})

afterAll(async () => {
  await Promise.all(pods.map((pod) => pod.close()))
  await server.close()
  await cleanPrefix(admin, prefix)
  admin.destroy()
})

/** `n` pods of a credential of their own (its own key prefix), started with `options`. */
async function fleet(n: number, name: string, options: { prefetch?: 'async' } = {}): Promise<Pod[]> {
  const members = Array.from({ length: n }, (_, i) => new Pod([endpoint, REDIS_URL, `${prefix}${name}:`, '1', String(i)], options))
  pods.push(...members)
  await Promise.all(members.map((pod) => pod.ready))
  return members
}

/** The token every pod holds, asked at once (served from memory while fresh). */
async function held(members: Pod[]): Promise<Set<string>> {
  const tokens = await Promise.all(members.map((pod) => pod.run({ op: 'get' }).done))
  return new Set(tokens.map((token) => token.accessToken))
}

describe('8 processes sharing one credential through Redis, on their own timers', () => {
  it('make 1 token request for the prefetch and 1 per proactive renewal, cycle after cycle, and all end on the same token', async () => {
    const before = requests.length
    const members = await fleet(8, 'renewal', { prefetch: 'async' })
    await eventually(() => requests.length - before >= 3, 15_000, { everyMs: 20 })
    const times = requests.slice(before)
    // Each renewal cycle is about 2.4 s: a second request in the same cycle would come within ms.
    for (let i = 1; i < 3; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThan(1_500)
    const latest = `renewed-${before + 3}`
    await eventually(
      async () => {
        const tokens = await held(members)
        return tokens.size === 1 && tokens.has(latest)
      },
      2_000,
      { everyMs: 20 },
    )
    await Promise.all(members.map((pod) => pod.close()))
  }, 30_000)
})

describe('8 processes sharing one credential through Redis, asked only when they need a token', () => {
  it('make 1 token request for their first token and 1 once it has expired, all asking at once', async () => {
    const members = await fleet(8, 'expiry')
    const first = requests.length
    expect((await held(members)).size).toBe(1)
    expect(requests.length - first).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, LIFETIME_S * 1000))
    const expired = requests.length
    expect((await held(members)).size).toBe(1)
    expect(requests.length - expired).toBe(1)
  }, 30_000)
})
