import type { ServerResponse } from 'node:http'
import { acquireContext, useManagers } from '@tokenwarden/test-utils'
import { type ScriptedEndpoint, scriptedEndpoint, sendJson } from '@tokenwarden/test-utils/http'
import { afterEach, describe, expect, it } from 'vitest'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { endpointQueueDefaults, setTokenEndpointConcurrency, tokenEndpointConcurrency } from '../../src/oauth/endpoint-queue.ts'
import { TokenManager } from '../../src/token-manager.ts'

const endpoints: ScriptedEndpoint[] = []
afterEach(async () => {
  setTokenEndpointConcurrency(endpointQueueDefaults.concurrency)
  await Promise.all(endpoints.splice(0).map((e) => e.close()))
})
/** Managers closed after each test, before the endpoints. */
const manager = useManagers()

/**
 * A token endpoint that holds every request until `batch` are waiting, then 10 ms more (time for
 * any request beyond the bound to arrive and be counted), then answers them all; a smaller tail is
 * answered after 50 ms without a new arrival. A correct client reaches exactly `batch` in flight.
 */
async function batchingEndpoint(batch: number): Promise<ScriptedEndpoint> {
  const held: ServerResponse[] = []
  let timer: NodeJS.Timeout | undefined
  const release = (): void => {
    for (const res of held.splice(0)) sendJson(res, 200, { access_token: `at-${Math.random()}`, token_type: 'Bearer', expires_in: 600 })
  }
  const e = await scriptedEndpoint((_, res) => {
    held.push(res)
    clearTimeout(timer)
    timer = setTimeout(release, held.length >= batch ? 10 : 50)
  })
  endpoints.push(e)
  return e
}

function fleet(e: ScriptedEndpoint, size: number): TokenManager[] {
  return Array.from({ length: size }, (_, i) =>
    manager({
      name: `svc-${i}`,
      source: clientCredentials({ tokenEndpoint: e.tokenEndpoint, clientId: `svc-${i}`, clientSecret: `secret-of-svc-${i}` }),
    }),
  )
}

describe('the token endpoint concurrency bound', () => {
  it('never has more than 4 requests in flight to one token endpoint, for 200 credentials renewing at once', async () => {
    expect(tokenEndpointConcurrency()).toBe(4)
    const e = await batchingEndpoint(4)
    const tokens = await Promise.all(fleet(e, 200).map((m) => m.getToken()))
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(200)
    expect(e.requests.length).toBe(200)
    expect(e.maxInFlight).toBe(4)
  })

  it('follows setTokenEndpointConcurrency', async () => {
    setTokenEndpointConcurrency(16)
    const e = await batchingEndpoint(16)
    await Promise.all(fleet(e, 64).map((m) => m.getToken()))
    expect(e.maxInFlight).toBe(16)
    expect(() => setTokenEndpointConcurrency(0)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID_OPTION' }))
  })

  it('bounds each token endpoint origin on its own', async () => {
    const [a, b] = [await batchingEndpoint(4), await batchingEndpoint(4)]
    await Promise.all([...fleet(a, 40), ...fleet(b, 40)].map((m) => m.getToken()))
    expect([a.maxInFlight, b.maxInFlight]).toEqual([4, 4])
  })

  it('never sends a request whose caller gave up while it waited for a slot', async () => {
    setTokenEndpointConcurrency(1)
    const held: ServerResponse[] = []
    const e = await scriptedEndpoint((_, res) => void held.push(res))
    endpoints.push(e)
    const source = clientCredentials({ tokenEndpoint: e.tokenEndpoint, clientId: 'svc', clientSecret: 'svc-secret-0123456789' })
    const first = source.acquire(acquireContext())
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve))
    const controller = new AbortController()
    const queued = source.acquire(acquireContext({ signal: controller.signal }))
    controller.abort(new Error('gave up'))
    await expect(queued).rejects.toThrow('gave up')
    sendJson(held[0] as ServerResponse, 200, { access_token: 'at', token_type: 'Bearer', expires_in: 60 })
    expect((await first).accessToken).toBe('at')
    expect(e.requests.length).toBe(1)
  })

  it('counts the request timeout from when the request gets its slot, not from when it queued', async () => {
    setTokenEndpointConcurrency(1)
    const held: ServerResponse[] = []
    const e = await scriptedEndpoint((call, res) =>
      call === 1 ? void held.push(res) : sendJson(res, 200, { access_token: 'second', token_type: 'Bearer', expires_in: 60 }),
    )
    endpoints.push(e)
    const options = { tokenEndpoint: e.tokenEndpoint, clientId: 'svc', clientSecret: 'svc-secret-0123456789', timeoutMs: 500 }
    const first = clientCredentials({ ...options, timeoutMs: 5_000 }).acquire(acquireContext())
    while (held.length === 0) await new Promise((resolve) => setImmediate(resolve))
    const second = clientCredentials(options).acquire(acquireContext())
    await new Promise((resolve) => setTimeout(resolve, 600))
    sendJson(held[0] as ServerResponse, 200, { access_token: 'first', token_type: 'Bearer', expires_in: 60 })
    expect((await first).accessToken).toBe('first')
    expect((await second).accessToken).toBe('second')
  })
})
