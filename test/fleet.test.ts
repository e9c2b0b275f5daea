import { type LoopbackServer, listen, readBody, sendJson } from '@tokenwarden/test-utils/http'
import { REDIS_URL, type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Pod } from './fleet/pod.ts'

const prefix = testPrefix()

let tokenRequests = 0
/** Pods whose token request the endpoint holds without answering, in order; set `holdNext` to hold one. */
const held: string[] = []
let holdNext = false
/** Delay, in ms, of the next answer. */
let delayNextMs = 0
/** The endpoint answers once this opens (see `everyPod`). */
let gate: Promise<void> = Promise.resolve()
const pods: Pod[] = []
let server: LoopbackServer
let admin: TestClient

beforeAll(async () => {
  admin = await connect()
  server = await listen(async (request, response) => {
    const body = (await readBody(request)).toString()
    if (holdNext) {
      holdNext = false
      held.push(new URLSearchParams(body).get('client_id') ?? '')
      return
    }
    tokenRequests++
    const token = { access_token: `fleet-token-${tokenRequests}`, token_type: 'Bearer', expires_in: 3600 }
    const delayMs = delayNextMs
    delayNextMs = 0
    void gate.then(() => setTimeout(() => sendJson(response, 200, token), delayMs))
  })
  for (let i = 0; i < 8; i++) pods.push(new Pod([server.url('/token'), REDIS_URL, prefix, '1', String(i)]))
  await Promise.all(pods.map((pod) => pod.ready))
}, 60_000)

afterAll(async () => {
  await Promise.all(pods.map((pod) => pod.close()))
  await server.close()
  await cleanPrefix(admin, prefix)
  admin.destroy()
})

/** Runs `op` in `pod`; resolves with the access token it ends on. */
const send = (pod: Pod, op: 'get' | 'refresh' | 'reject'): Promise<string> => pod.run({ op }).done.then((token) => token.accessToken)

/**
 * Runs `op` in every pod at once: the token endpoint answers only once every pod's call has begun,
 * so no pod starts after the others already finished. Returns the distinct tokens they end on and
 * the token requests made.
 */
async function everyPod(op: 'get' | 'refresh' | 'reject'): Promise<{ tokens: Set<string>; requests: number }> {
  const before = tokenRequests
  let open!: () => void
  gate = new Promise((resolve) => (open = resolve))
  const runs = pods.map((pod) => pod.run({ op }))
  await Promise.all(runs.map((run) => run.started))
  open()
  const tokens = new Set(await Promise.all(runs.map((run) => run.done.then((token) => token.accessToken))))
  return { tokens, requests: tokenRequests - before }
}

describe('8 processes sharing one credential through Redis', () => {
  it('make 1 token request for their first token, and all end on it', async () => {
    const { tokens, requests } = await everyPod('get')
    expect(requests).toBe(1)
    expect(tokens.size).toBe(1)
  })

  it('make 1 token request when every one of them forces a refresh at once, cycle after cycle', async () => {
    for (let cycle = 0; cycle < 3; cycle++) {
      const { tokens, requests } = await everyPod('refresh')
      expect(requests).toBe(1)
      expect(tokens.size).toBe(1)
    }
  })

  it('make 1 token request for a fleet-wide 401 of the token they share', async () => {
    const { tokens: before } = await everyPod('get')
    const { tokens, requests } = await everyPod('reject')
    expect(requests).toBe(1)
    expect(tokens.size).toBe(1)
    expect([...tokens][0]).not.toBe([...before][0])
  })

  it('replace a lease holder killed during its token request within the lease (1 s): no request fails', async () => {
    await everyPod('get')
    holdNext = true
    const before = tokenRequests
    const refreshes = pods.map((pod) => send(pod, 'refresh').then((token) => ({ token }), (error: Error) => ({ error })))
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
    const holder = pods[Number(held[0]?.slice('pod-'.length))] as Pod
    holder.kill()
    const results = await Promise.all(refreshes)
    const survivors = results.filter((_, i) => pods[i] !== holder)
    expect(survivors.map((r) => ('error' in r ? r.error.message : 'ok'))).toEqual(Array(7).fill('ok'))
    expect(new Set(survivors.map((r) => ('token' in r ? r.token : ''))).size).toBe(1)
    expect(tokenRequests - before).toBe(1)
    pods.splice(pods.indexOf(holder), 1)
  })

  it('make 1 token request when the token endpoint takes longer (2.5 s) than the lease (1 s): the holder renews it', async () => {
    await everyPod('get')
    delayNextMs = 2_500
    const { tokens, requests } = await everyPod('refresh')
    expect(requests).toBe(1)
    expect(tokens.size).toBe(1)
  })
})
