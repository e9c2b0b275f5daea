import { CredentialRegistry, clientCredentials } from '@tokenwarden/core'
import { type DpopResourceServer, startDpopResourceServer, startResourceServer } from '@tokenwarden/test-utils/http'
import { type Idp, fixture, startIdp } from '@tokenwarden/test-utils/oidc'
import { rejection } from '@tokenwarden/test-utils'
import { randomDPoPKeyPair } from 'openid-client'
import { describe, expect, it, onTestFinished } from 'vitest'
import { drivers } from './drivers/index.ts'
import type { ClientDriver } from './drivers/types.ts'
import { create, tokenErrorIn } from './harness.ts'

/** An oidc-provider that requires DPoP nonces, a resource server judging proofs, and a credential bound to a generated key. */
async function dpopWorld(driver: ClientDriver, options: { bound?: boolean; required?: boolean; acceptBearer?: boolean; key?: CryptoKeyPair } = {}) {
  const provider = await startIdp()
  onTestFinished(() => provider.close())
  const server = await startDpopResourceServer({ authorizationServer: provider, requireNonce: true, acceptBearer: options.acceptBearer })
  onTestFinished(() => server.close())
  const other = await startResourceServer({ requireAuth: false })
  onTestFinished(() => other.close())
  const registry = new CredentialRegistry()
  onTestFinished(() => registry.close())
  const client = options.bound === false ? fixture.dpopOptional : fixture.dpopBound
  const source = clientCredentials({
    issuer: provider.issuer,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    dpop: options.bound === false ? undefined : { required: options.required, key: options.key },
  })
  const manager = registry.register('api', { source, origins: [server.origin], prefetch: 'lazy' })
  const http = await create(driver, 'api', { registry })
  return { provider, server, other, manager, http }
}

/** Token requests the provider answered with a token. */
function issued(provider: Idp): number {
  return provider.tokenRequests.filter((r) => r.status === 200).length
}

/** The resource server's verdicts, request by request. */
function verdicts(server: DpopResourceServer): (string | number | undefined)[][] {
  return server.requests.map((r) => [r.status, r.reason])
}

describe.each(drivers)('$name: DPoP', (driver) => {
  it('sends a DPoP-bound token with a fresh proof per send; a resource nonce costs a resend, never a token request', async () => {
    const { provider, server, http } = await dpopWorld(driver)
    const first = await http.request({ method: 'POST', url: server.url('/echo'), body: { kind: 'string', value: 'body' } })
    expect(first.status).toBe(200)
    expect(provider.tokenRequests.map((r) => [r.status, r.error])).toEqual([
      [400, 'use_dpop_nonce'],
      [200, undefined],
    ])
    expect(provider.tokenRequests[1]?.tokenType).toBe('DPoP')
    expect(verdicts(server)).toEqual([
      [401, 'nonce'],
      [200, undefined],
    ])
    expect(server.requests.map((r) => r.body)).toEqual(['body', 'body'])
    const again = await http.request({ url: server.url('/echo?x=1') })
    expect(again.status).toBe(200)
    expect(issued(provider)).toBe(1)
    expect(server.requests[2]).toMatchObject({ status: 200, scheme: 'DPoP', htm: 'GET', htu: server.url('/echo') })
    expect(new Set(server.requests.map((r) => r.jti)).size).toBe(3)
  })

  it('learns a nonce a 2xx carries and signs the next proof with it', async () => {
    const { server, http } = await dpopWorld(driver)
    expect((await http.request({ url: server.url('/echo') })).status).toBe(200)
    const rotated = server.rotateNonce({ acceptPrevious: true })
    expect((await http.request({ url: server.url('/echo') })).status).toBe(200)
    expect((await http.request({ url: server.url('/echo') })).status).toBe(200)
    expect(server.requests.at(-1)).toMatchObject({ status: 200, nonce: rotated })
    expect(verdicts(server).filter(([status]) => status === 401)).toHaveLength(1)
  })

  it('signs each same-origin redirect hop for its own URL, and sends nothing to another origin', async () => {
    const { server, other, http } = await dpopWorld(driver)
    await http.request({ url: server.url('/echo') })
    const hop = await http.request({ url: server.url(`/redirect?status=307&to=${encodeURIComponent(server.url('/echo/after'))}`) })
    expect(hop.status).toBe(200)
    const [redirect, after] = server.requests.slice(-2)
    expect(redirect).toMatchObject({ status: 307, htu: server.url('/redirect') })
    expect(after).toMatchObject({ status: 200, htu: server.url('/echo/after'), reason: undefined })
    expect(after?.jti).not.toBe(redirect?.jti)

    const away = await http.request({ url: server.url(`/redirect?status=302&to=${encodeURIComponent(other.url('/echo'))}`) })
    expect(away.status).toBe(200)
    expect(other.requests.map((r) => r.authorizations)).toEqual([[]])
    expect(JSON.parse(away.body)).not.toHaveProperty('dpop')
  })

  it('with a key WebCrypto signs (a non-extractable CryptoKeyPair): waits for each proof, on a nonce resend and a redirect hop (axios, whose hook is synchronous, fails the hop with a code)', async () => {
    const { server, manager, http } = await dpopWorld(driver, { key: await randomDPoPKeyPair('ES256') })
    expect((await http.request({ url: server.url('/echo') })).status).toBe(200)
    expect(manager.dpop?.key.synchronous).toBe(false)
    const to = encodeURIComponent(server.url('/echo/after'))
    if (driver.name === 'axios') {
      const error = await rejection(http.request({ url: server.url(`/redirect?status=307&to=${to}`) }))
      expect(tokenErrorIn(error)?.code).toBe('TOKEN_REDIRECT_NOT_FOLLOWED')
      expect(server.requests.at(-1)).toMatchObject({ status: 307 })
      return
    }
    expect((await http.request({ url: server.url(`/redirect?status=307&to=${to}`) })).status).toBe(200)
    expect(verdicts(server).slice(-2)).toEqual([
      [307, undefined],
      [200, undefined],
    ])
    expect(server.requests.at(-1)).toMatchObject({ htu: server.url('/echo/after') })
  })

  it('answers 100 concurrent 401s for a revoked DPoP token with one token request, each request resent with a new proof', async () => {
    const { provider, server, manager, http } = await dpopWorld(driver)
    await http.request({ url: server.url('/echo') })
    const before = issued(provider)
    server.revoke((manager.peek() as { accessToken: string }).accessToken)
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => http.request({ method: 'POST', url: server.url(`/echo/${i}`), body: { kind: 'string', value: `b${i}` } })),
    )
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: 100 }, () => 200))
    expect(issued(provider)).toBe(before + 1)
    const rejected = server.requests.filter((r) => r.status === 401 && r.reason === 'access-token')
    expect(rejected.length).toBeGreaterThan(0)
    expect(rejected.length).toBeLessThanOrEqual(100)
  })

  it('sends a token the server issued as Bearer as Bearer, without a proof', async () => {
    const { provider, server, http } = await dpopWorld(driver, { bound: false, acceptBearer: true })
    const response = await http.request({ url: server.url('/echo') })
    expect(response.status).toBe(200)
    expect(provider.tokenRequests.at(-1)?.tokenType).toBe('Bearer')
    expect(server.requests.at(-1)).toMatchObject({ scheme: 'Bearer', proof: false })
  })
})
