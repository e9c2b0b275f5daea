import { CredentialRegistry, TokenManager } from '@tokenwarden/core'
import { countingSource, rejection, resolveLoopbackNames } from '@tokenwarden/test-utils'
import { describe, expect, it, onTestFinished } from 'vitest'
import { drivers } from './drivers/index.ts'
import { create, echo, harness, tokenErrorIn } from './harness.ts'

describe.each(drivers)('$name: where the token goes', (driver) => {
  it('sends a request to another origin untouched, and fetches no token', async () => {
    const h = await harness(driver)
    const response = await h.client.request({ url: h.other.url('/echo'), headers: { 'x-trace': 'kept' } })
    expect(response.status).toBe(200)
    expect(echo(response).authorization).toBeUndefined()
    expect(h.other.requests).toHaveLength(1)
    expect(h.source.calls).toBe(0)
  })

  it('strips one of its own tokens from a request to another origin', async () => {
    const h = await harness(driver)
    const token = await h.manager.getToken()
    const response = await h.client.request({ url: h.other.url('/echo'), headers: { AUTHORIZATION: token.authorization } })
    expect(response.status).toBe(200)
    expect(h.other.requests.map((r) => r.authorizations)).toEqual([[]])
  })

  it('matches origins exactly: the same port under another host name gets no token', async () => {
    const h = await harness(driver)
    const response = await h.client.request({ url: `http://localhost:${h.server.port}/echo` })
    expect(response.status).toBe(401)
    expect(h.server.requests[0]?.authorization).toBeUndefined()
    expect(h.source.calls).toBe(0)
  })

  it('matches a wildcard origin on subdomains only (http allowed here by the insecure opt-in)', async () => {
    onTestFinished(resolveLoopbackNames())
    const fixture = await harness(driver, { server: { requireAuth: false } })
    const port = fixture.server.port
    const client = await create(driver, fixture.name, {
      registry: fixture.registry,
      origins: [`http://*.localhost:${port}`],
      dangerouslyAllowInsecureHttp: true,
    })
    expect(echo(await client.request({ url: `http://api.localhost:${port}/echo` })).token).toBe('token-1')
    expect(echo(await client.request({ url: `http://a.b.localhost:${port}/echo` })).token).toBe('token-1')
    expect(echo(await client.request({ url: `http://localhost:${port}/echo` })).authorization).toBeUndefined()
    expect(echo(await client.request({ url: `http://api.localhost:${fixture.other.port}/echo` })).authorization).toBeUndefined()
    expect(fixture.source.calls).toBe(1)
  })

  it('refuses a plain-http wildcard origin without the insecure opt-in (TOKEN_INSECURE_TRANSPORT)', async () => {
    const h = await harness(driver)
    const error = await rejection(create(driver, h.name, { registry: h.registry, origins: ['http://*.localhost:8080'] }))
    expect(error).toMatchObject({ code: 'TOKEN_INSECURE_TRANSPORT' })
  })

  it('refuses plain http to a host that is not loopback (TOKEN_INSECURE_TRANSPORT)', async () => {
    const h = await harness(driver)
    const error = await rejection(create(driver, h.name, { registry: h.registry, origins: ['http://api.example.com'] }))
    expect(error).toMatchObject({ code: 'TOKEN_INSECURE_TRANSPORT' })
    expect(() => h.registry.register('plain', { source: countingSource(), origins: ['http://api.example.com'] })).toThrow(
      expect.objectContaining({ code: 'TOKEN_INSECURE_TRANSPORT' }),
    )
  })

  it('refuses at creation a credential that has no origins (TOKEN_NO_ORIGINS)', async () => {
    const source = countingSource()
    const manager = new TokenManager({ name: 'nowhere', source, prefetch: 'lazy' })
    onTestFinished(() => manager.close())
    expect(await rejection(create(driver, manager))).toMatchObject({ code: 'TOKEN_NO_ORIGINS' })
    const registry = new CredentialRegistry()
    onTestFinished(() => registry.close())
    registry.register('nowhere', { source, prefetch: 'lazy' })
    expect(await rejection(create(driver, 'nowhere', { registry }))).toMatchObject({ code: 'TOKEN_NO_ORIGINS' })
    expect(source.calls).toBe(0)
  })

  it('refuses at the first request a credential registered later without origins (TOKEN_NO_ORIGINS)', async () => {
    const h = await harness(driver)
    const client = await create(driver, 'later', { registry: h.registry })
    const source = countingSource()
    h.registry.register('later', { source, prefetch: 'lazy' })
    const error = await rejection(client.request({ url: h.server.url('/echo') }))
    expect(tokenErrorIn(error)?.code).toBe('TOKEN_NO_ORIGINS')
    expect(h.server.requests).toHaveLength(0)
    expect(source.calls).toBe(0)
  })

  it('takes the origins given to the adapter for a credential registered without any', async () => {
    const h = await harness(driver)
    h.registry.register('bare', { source: h.source, prefetch: 'lazy', clock: h.clock })
    const client = await create(driver, 'bare', { registry: h.registry, origins: [h.server.origin] })
    expect(echo(await client.request({ url: h.server.url('/echo') })).token).toBe('token-1')
    expect(h.source.calls).toBe(1)
  })

  it('finds a credential registered after the client was created', async () => {
    const h = await harness(driver)
    const client = await create(driver, 'later', { registry: h.registry })
    const source = countingSource({ prefix: 'later', onIssue: (token) => h.server.accept(token) })
    h.registry.register('later', { source, origins: [h.server.origin], prefetch: 'lazy' })
    expect(echo(await client.request({ url: h.server.url('/echo') })).token).toBe('later-1')
  })
})
