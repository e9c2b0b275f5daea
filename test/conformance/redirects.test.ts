import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import { echo, harness } from './harness.ts'

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
})
