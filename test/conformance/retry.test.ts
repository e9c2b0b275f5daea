import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import { echo, harness } from './harness.ts'

describe.each(drivers)('$name: 401 and retry', (driver) => {
  it('answers a 401 with exactly one reacquisition and one retry carrying the new token', async () => {
    const h = await harness(driver)
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(200)
    expect(echo(response).token).toBe('token-2')
    expect(h.source.calls).toBe(2)
    expect(h.source.contexts[1]?.reason).toBe('rejected')
    expect(h.server.requests.map((r) => [r.status, r.token])).toEqual([
      [200, 'token-1'],
      [401, 'token-1'],
      [200, 'token-2'],
    ])
  })

  it("drains (or cancels) the first 401's body of 16 MiB: no response is left hanging", async () => {
    const h = await harness(driver, { server: { unauthorizedBodyBytes: 16 * 1024 * 1024 } })
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(200)
    await h.server.settled()
  })

  it('returns a second 401 as it is: status, challenge and body, and never loops', async () => {
    const h = await harness(driver, { server: { unauthorizedBodyBytes: 2048 } })
    const challenge = 'Bearer realm="api", error="invalid_token", error_description="still no"'
    const response = await h.client.request({ url: h.server.url(`/always-401?challenge=${encodeURIComponent(challenge)}`) })
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toBe(challenge)
    expect(response.body).toBe(Buffer.alloc(2048, 'unauthorized ').toString())
    expect(h.source.calls).toBe(2)
    expect(h.server.requests.map((r) => r.token)).toEqual(['token-1', 'token-2'])
  })

  it('returns at once a 401 whose challenge is for another scheme, without reacquiring', async () => {
    const h = await harness(driver)
    const response = await h.client.request({ url: h.server.url(`/always-401?challenge=${encodeURIComponent('Basic realm="x"')}`) })
    expect(response.status).toBe(401)
    expect(h.source.calls).toBe(1)
    expect(h.server.requests).toHaveLength(1)
  })

  it('returns the 401 when retryOnUnauthorized is false', async () => {
    const h = await harness(driver, { auth: { retryOnUnauthorized: false } })
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(401)
    expect(h.server.requests).toHaveLength(2)
    expect(h.source.calls).toBe(1)
  })
})
