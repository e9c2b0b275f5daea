import { acquireContext, rejection } from '@tokenwarden/test-utils'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, TokenPolicyError } from '../../src/errors.ts'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { jwtBearer } from '../../src/oauth/jwt-bearer.ts'
import { refreshToken } from '../../src/oauth/refresh-token.ts'
import { tokenExchange } from '../../src/oauth/token-exchange.ts'
import { TokenManager } from '../../src/token-manager.ts'

/** https issuers, served by msw intercepting global fetch: the production configuration, no TLS server needed. */
const network = setupServer()
beforeAll(() => network.listen({ onUnhandledFrame: 'error' }))
afterEach(() => network.resetHandlers())
afterAll(() => network.close())

const token = { access_token: 'at', token_type: 'Bearer', expires_in: 300 }

/** Serves an issuer's discovery document (through `discovery`) and a token endpoint; counts both. */
function issuer(host: string, discovery: (call: number) => Response | undefined = () => undefined): { url: string; calls: { discovery: number; token: number } } {
  const url = `https://${host}`
  const calls = { discovery: 0, token: 0 }
  network.use(
    http.get(`${url}/.well-known/openid-configuration`, () => {
      calls.discovery++
      return discovery(calls.discovery) ?? HttpResponse.json({ issuer: url, token_endpoint: `${url}/oauth2/token` })
    }),
    http.post(`${url}/oauth2/token`, () => {
      calls.token++
      return HttpResponse.json(token)
    }),
  )
  return { url, calls }
}

describe('discovery', () => {
  it('discovers an issuer once per process, for every source and credential', async () => {
    const { url, calls } = issuer('idp-a.example.test')
    const sources = [
      clientCredentials({ issuer: url, clientId: 'a', clientSecret: 'secret-a-0123456789' }),
      clientCredentials({ issuer: new URL(url), clientId: 'b', clientSecret: 'secret-b-0123456789', clientAuth: 'client_secret_post' }),
      refreshToken({ issuer: url, clientId: 'c', refreshToken: 'rt-0123456789' }),
      jwtBearer({ issuer: url, clientId: 'd', assertion: () => 'e30.e30.sig' }),
    ]
    const grants = await Promise.all(sources.map((s) => s.acquire(acquireContext())))
    expect(grants.map((g) => g.accessToken)).toEqual(['at', 'at', 'at', 'at'])
    await sources[0]?.acquire(acquireContext())
    expect(calls).toEqual({ discovery: 1, token: 5 })
  })

  it.each([
    ['a 503', () => new Response('unavailable', { status: 503 })],
    ['a network error', () => Response.error()],
  ])('does not cache a failed discovery (%s): the retry discovers again', async (_, failure) => {
    const { url, calls } = issuer(`idp-${Math.random().toString(36).slice(2)}.example.test`, (call) => (call === 1 ? failure() : undefined))
    const failures: unknown[] = []
    const m = new TokenManager({
      prefetch: 'lazy',
      maxRetries: 1,
      retryDelay: (_attempt, error) => (failures.push(error), 0),
      source: clientCredentials({ issuer: url, clientId: 'a', clientSecret: 'secret-a-0123456789' }),
    })
    try {
      expect((await m.getToken()).accessToken).toBe('at')
      expect(failures[0]).toMatchObject({ transient: true, endpoint: `${url}/.well-known/openid-configuration` })
      expect(calls).toEqual({ discovery: 2, token: 1 })
    } finally {
      await m.close()
    }
  })

  it('reads the RFC 8414 document with discovery: "oauth2"', async () => {
    const url = 'https://as.example.test/tenant'
    network.use(
      http.get('https://as.example.test/.well-known/oauth-authorization-server/tenant', () =>
        HttpResponse.json({ issuer: url, token_endpoint: 'https://as.example.test/tenant/token' }),
      ),
      http.post('https://as.example.test/tenant/token', () => HttpResponse.json(token)),
    )
    const grant = await clientCredentials({ issuer: url, discovery: 'oauth2', clientId: 'a', clientSecret: 'secret-a-0123456789' }).acquire(acquireContext())
    expect(grant.accessToken).toBe('at')
  })

  it('refuses a document for another issuer as malformed, terminally', async () => {
    const { url } = issuer('idp-b.example.test', () => HttpResponse.json({ issuer: 'https://evil.example.test', token_endpoint: 'https://evil.example.test/token' }))
    const error = await rejection(() => clientCredentials({ issuer: url, clientId: 'a', clientSecret: 'secret-a-0123456789' }).acquire(acquireContext()))
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED, transient: false })
  })

  it('refuses a discovered token endpoint over plain http', async () => {
    const { url } = issuer('idp-c.example.test', () => HttpResponse.json({ issuer: 'https://idp-c.example.test', token_endpoint: 'http://idp-c.example.test/token' }))
    const error = await rejection(() => clientCredentials({ issuer: url, clientId: 'a', clientSecret: 'secret-a-0123456789' }).acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenPolicyError)
    expect(error).toMatchObject({ code: ErrorCode.INSECURE_TRANSPORT, transient: false })
  })
})

describe('transport policy', () => {
  it.each([
    ['issuer', { issuer: 'http://idp.example.test' }],
    ['tokenEndpoint', { tokenEndpoint: 'http://idp.example.test/token' }],
    ['tokenEndpoint', { tokenEndpoint: 'http://10.0.0.1/token' }],
    ['issuer', { issuer: 'http://idp.localhost:8080' }],
    ['tokenEndpoint', { tokenEndpoint: 'http://idp.localhost/token' }],
  ])('refuses a plain-http %s that is not loopback (a name under localhost included), at creation', (_, where) => {
    for (const create of [
      () => clientCredentials({ ...where, clientId: 'a', clientSecret: 'secret-a-0123456789' }),
      () => refreshToken({ ...where, clientId: 'a', refreshToken: 'rt' }),
      () => tokenExchange({ ...where, clientId: 'a', subjectToken: () => 's', subjectTokenType: 'urn:x' }),
      () => jwtBearer({ ...where, clientId: 'a', assertion: () => 'a' }),
    ]) {
      expect(create).toThrow(TokenPolicyError)
      expect(create).toThrow(expect.objectContaining({ code: ErrorCode.INSECURE_TRANSPORT }))
    }
  })

  it('allows plain http to loopback only, and refuses other schemes as bad options', () => {
    for (const tokenEndpoint of ['http://localhost:8080/token', 'http://127.0.0.1/token', 'http://127.0.0.2/token', 'http://[::1]:9/token']) {
      expect(clientCredentials({ tokenEndpoint, clientId: 'a' }).kind).toBe('client-credentials')
    }
    expect(() => clientCredentials({ tokenEndpoint: 'ftp://idp.example.test/token', clientId: 'a' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'tokenEndpoint' }),
    )
  })
})
