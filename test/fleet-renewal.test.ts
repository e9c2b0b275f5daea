import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pod } from './fleet/pod.ts'
import { type AdminClient, REDIS_URL, cleanUp, connectAdmin } from './fleet/redis-admin.ts'

/** Lifetime of every token, s: the default windows renew it about 2.4 s after it was issued. */
const LIFETIME_S = 3
const prefix = `tw-test:${process.pid}:${randomUUID()}:`

/** When each token request came (ms since the server started), in order. */
const requests: number[] = []
const started = performance.now()
const server = createServer((request, response) => {
  request.resume()
  request.on('end', () => {
    requests.push(performance.now() - started)
    const token = { access_token: `renewed-${requests.length}`, token_type: 'Bearer', expires_in: LIFETIME_S }
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(token))
  })
})
let admin: AdminClient
let endpoint = ''
const pods: Pod[] = []

beforeAll(async () => {
  admin = await connectAdmin()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
})

afterAll(async () => {
  await Promise.all(pods.map((pod) => pod.close()))
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await cleanUp(admin, prefix)
})

/** Resolves once `condition()` holds; fails after `ms`. */
async function until(condition: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`still not so after ${ms} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

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
    await until(() => requests.length - before >= 3, 15_000)
    const times = requests.slice(before)
    // Each renewal cycle is about 2.4 s: a second request in the same cycle would come within ms.
    for (let i = 1; i < 3; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThan(1_500)
    const latest = `renewed-${before + 3}`
    await until(async () => {
      const tokens = await held(members)
      return tokens.size === 1 && tokens.has(latest)
    }, 2_000)
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
