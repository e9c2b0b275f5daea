import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import { create, echo, harness } from './harness.ts'

describe.each(drivers)('$name: redirects', (driver) => {
  it('never sends the token across a 302 to another loopback origin', async () => {
    const h = await harness(driver)
    const to = encodeURIComponent(h.other.url('/echo'))
    const response = await h.client.request({ url: h.server.url(`/redirect?to=${to}`) })
    expect(response.status).toBe(200)
    expect(echo(response).authorization).toBeUndefined()
    expect(h.other.requests.map((r) => r.authorization)).toEqual([undefined])
    expect(h.server.requests.map((r) => r.token)).toEqual(['token-1'])
  })

  it('keeps the token across a same-origin redirect', async () => {
    const h = await harness(driver)
    const response = await h.client.request({ url: h.server.url('/redirect?to=/echo') })
    expect(response.status).toBe(200)
    expect(echo(response).token).toBe('token-1')
    expect(h.server.requests.map((r) => [r.path, r.token])).toEqual([
      ['/redirect?to=/echo', 'token-1'],
      ['/echo', 'token-1'],
    ])
  })

  it.each([301, 302, 303, 307, 308])(
    'carries the token across a %i to another origin the credential allows',
    async (status) => {
      const h = await harness(driver)
      h.registry.register('both', {
        source: h.source,
        origins: [h.server.origin, h.other.origin],
        prefetch: 'lazy',
        clock: h.clock,
      })
      const client = await create(driver, 'both', { registry: h.registry })
      const to = encodeURIComponent(h.other.url('/echo'))
      const response = await client.request({ url: h.server.url(`/redirect?status=${status}&to=${to}`) })
      expect(response.status).toBe(200)
      expect(echo(response).token).toBe('token-1')
      expect(h.server.requests.map((r) => r.token)).toEqual(['token-1'])
      expect(h.other.requests.map((r) => r.authorizations)).toEqual([['Bearer token-1']])
      expect(h.source.calls).toBe(1)
    },
  )

  it("adds no token on a redirect of a request that carried the caller's own Authorization", async () => {
    const h = await harness(driver)
    h.registry.register('both', { source: h.source, origins: [h.server.origin, h.other.origin], prefetch: 'lazy', clock: h.clock })
    const client = await create(driver, 'both', { registry: h.registry })
    const to = encodeURIComponent(h.other.url('/echo'))
    const response = await client.request({ url: h.server.url(`/redirect?to=${to}`), headers: { authorization: 'Bearer callers-own' } })
    expect(response.status).toBe(200)
    expect(h.server.requests.map((r) => r.authorization)).toEqual(['Bearer callers-own'])
    expect(h.other.requests.map((r) => r.token)).not.toContain('token-1')
    expect(h.source.calls).toBe(0)
  })

  it('carries the token back to an allowed origin after a hop where it may not go (A → B → A)', async () => {
    const h = await harness(driver)
    const back = encodeURIComponent(h.server.url('/echo'))
    const via = encodeURIComponent(h.other.url(`/redirect?to=${back}`))
    const response = await h.client.request({ url: h.server.url(`/redirect?to=${via}`) })
    expect(response.status).toBe(200)
    expect(echo(response).token).toBe('token-1')
    expect(h.other.requests.map((r) => r.authorization)).toEqual([undefined])
    expect(h.server.requests.map((r) => r.token)).toEqual(['token-1', 'token-1'])
  })
})
