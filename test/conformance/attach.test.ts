import { TokenManager } from '@tokenwarden/core'
import { countingSource } from '@tokenwarden/test-utils'
import { startResourceServer } from '@tokenwarden/test-utils/http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { drivers } from './drivers/index.ts'
import { create, echo, harness } from './harness.ts'

describe.each(drivers)('$name: attaching the token', (driver) => {
  it('attaches Authorization: Bearer <token> to a request for an allowed origin', async () => {
    const h = await harness(driver)
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(200)
    expect(echo(response).authorization).toBe('Bearer token-1')
    expect(h.source.calls).toBe(1)
  })

  it('takes a TokenManager as the credential', async () => {
    const h = await harness(driver, { byManager: true })
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(echo(response).authorization).toBe('Bearer token-1')
  })

  it('attaches the token type the source gave (DPoP)', async () => {
    const server = await startResourceServer({ requireAuth: false })
    onTestFinished(() => server.close())
    const manager = new TokenManager({
      name: 'dpop',
      origins: [server.origin],
      prefetch: 'lazy',
      source: { kind: 'test', acquire: async () => ({ accessToken: 'proof-bound', tokenType: 'dpop' }) },
    })
    onTestFinished(() => manager.close())
    const client = await create(driver, manager)
    expect(echo(await client.request({ url: server.url('/echo') })).authorization).toBe('DPoP proof-bound')
  })

  it('uses the cached token for later requests, without asking the source again', async () => {
    const h = await harness(driver)
    for (let i = 0; i < 5; i++) await h.client.request({ url: h.server.url('/echo') })
    expect(h.source.calls).toBe(1)
    expect(h.server.countFor('token-1')).toBe(5)
  })

  it.each([['Authorization'], ['authorization'], ['AUTHORIZATION']])(
    'leaves a caller-set %s header alone and fetches no token',
    async (name) => {
      const h = await harness(driver, { server: { requireAuth: false } })
      const response = await h.client.request({ url: h.server.url('/echo'), headers: { [name]: 'Basic dXNlcjpwYXNz' } })
      expect(echo(response).authorization).toBe('Basic dXNlcjpwYXNz')
      expect(h.source.calls).toBe(0)
    },
  )

  it('replaces a header carrying one of its own older tokens with the current one', async () => {
    const h = await harness(driver)
    const old = await h.manager.getToken()
    await h.manager.refresh()
    const response = await h.client.request({ url: h.server.url('/echo'), headers: { authorization: old.authorization } })
    expect(echo(response).authorization).toBe('Bearer token-2')
    expect(h.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-2'])
  })

  it('counts a token source of its own: a second credential gets its own token', async () => {
    const h = await harness(driver)
    const source = countingSource({ prefix: 'second', onIssue: (token) => h.server.accept(token) })
    h.registry.register('second', { source, origins: [h.server.origin], prefetch: 'lazy' })
    const second = await create(driver, 'second', { registry: h.registry })
    expect(echo(await second.request({ url: h.server.url('/echo') })).token).toBe('second-1')
    expect(echo(await h.client.request({ url: h.server.url('/echo') })).token).toBe('token-1')
  })
})
