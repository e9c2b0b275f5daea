import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import { echo, harness } from './harness.ts'

const N = 1000

describe.each(drivers)('$name: concurrency', (driver) => {
  it(`answers ${N} concurrent 401s for a revoked token with exactly 1 token request and ${N} × 200`, async () => {
    const h = await harness(driver)
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const responses = await Promise.all(Array.from({ length: N }, () => h.client.request({ url: h.server.url('/echo') })))
    expect(responses.filter((r) => r.status === 200)).toHaveLength(N)
    expect(h.source.calls).toBe(2)
    expect(h.server.countFor('token-1')).toBe(1 + N)
    expect(h.server.countFor('token-2')).toBe(N)
  })

  it(`sends ${N} concurrent requests at expiry with exactly 1 token request and 0 failures`, async () => {
    const h = await harness(driver, { expiresIn: 600 })
    await h.client.request({ url: h.server.url('/echo') })
    await h.clock.advance(600_000)
    const responses = await Promise.all(Array.from({ length: N }, () => h.client.request({ url: h.server.url('/echo') })))
    expect(responses.filter((r) => r.status === 200)).toHaveLength(N)
    expect(new Set(responses.map((r) => echo(r).token))).toEqual(new Set(['token-2']))
    expect(h.source.calls).toBe(2)
    expect(h.source.contexts[1]?.reason).toBe('expired')
  })

  it('answers a late 401 for an older token with the newer token, without a new acquisition', async () => {
    const h = await harness(driver, { expiresIn: 600 })
    await h.client.request({ url: h.server.url('/echo') })
    const late = h.client.request({ url: h.server.url('/hold') })
    await h.server.held(1)
    await h.clock.advance(600_000)
    const responses = await Promise.all(Array.from({ length: N }, () => h.client.request({ url: h.server.url('/echo') })))
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(h.source.calls).toBe(2)
    h.server.revoke('token-1')
    h.server.release()
    const response = await late
    expect(response.status).toBe(200)
    expect(echo(response).token).toBe('token-2')
    expect(h.source.calls).toBe(2)
    expect(h.server.requests.filter((r) => r.path === '/hold').map((r) => [r.status, r.token])).toEqual([
      [401, 'token-1'],
      [200, 'token-2'],
    ])
  })
})
