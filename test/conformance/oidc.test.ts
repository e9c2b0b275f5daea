import { CredentialRegistry, clientCredentials } from '@tokenwarden/core'
import { startResourceServer } from '@tokenwarden/test-utils/http'
import { fixture, startIdp } from '@tokenwarden/test-utils/oidc'
import { describe, expect, it, onTestFinished } from 'vitest'
import { drivers } from './drivers/index.ts'
import { create, echo } from './harness.ts'

describe.each(drivers)('$name: with a real OpenID provider', (driver) => {
  it('attaches a client_credentials token, and after its revocation gets exactly one new one', async () => {
    const provider = await startIdp()
    onTestFinished(() => provider.close())
    const server = await startResourceServer({ validate: (token) => provider.isActive(token) })
    onTestFinished(() => server.close())
    const registry = new CredentialRegistry()
    onTestFinished(() => registry.close())
    registry.register('oidc', { source: clientCredentials({ issuer: provider.issuer, ...fixture.basic }), origins: [server.origin], prefetch: 'lazy' })
    const client = await create(driver, 'oidc', { registry })

    const first = echo(await client.request({ url: server.url('/echo') }))
    expect(first.authorization).toMatch(/^Bearer \S{20,}$/)
    expect(provider.issued).toBe(1)

    await provider.revoke(first.token as string)
    const response = await client.request({ method: 'POST', url: server.url('/echo'), body: { kind: 'json', value: { q: 1 } } })
    expect(response.status).toBe(200)
    expect(echo(response).token).not.toBe(first.token)
    expect(provider.issued).toBe(2)
    expect(server.requests.map((r) => r.status)).toEqual([200, 401, 200])
  })
})
