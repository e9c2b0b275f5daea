import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { ManualClock, acquireContext, nextEvent, rejection, useManagers } from '@tokenwarden/test-utils'
import { type Idp, fixture, startIdp } from '@tokenwarden/test-utils/oidc'
import { SignJWT, createRemoteJWKSet, importJWK, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { toPkcs8Pem } from '../../src/node.ts'

const TTL = 60
let idp: Idp
const manager = useManagers()

beforeAll(async () => {
  idp = await startIdp({ ttlSeconds: TTL })
})
afterAll(async () => {
  await idp.close()
})

describe('client credentials against oidc-provider', () => {
  it('discovers the issuer once and authenticates with client_secret_basic by default', async () => {
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, ...fixture.basic, scope: 'api:read' }) })
    const token = await m.getToken()
    expect(idp.tokenRequests.at(-1)?.authorization).toMatch(/^Basic /)
    expect(idp.tokenRequests.at(-1)?.params.get('client_secret')).toBeNull()
    expect(token.source).toBe('client-credentials')
    expect(token.scope).toEqual(['api:read'])
    expect(token.expiresAt).toBe(token.issuedAt + TTL * 1000)
    expect(await idp.introspect(token.accessToken)).toMatchObject({ active: true, client_id: 'svc-basic', scope: 'api:read' })

    const second = manager({ source: clientCredentials({ issuer: idp.issuer, ...fixture.post, clientAuth: 'client_secret_post' }) })
    await second.getToken()
    expect(idp.requests.filter((r) => r.includes('/.well-known/')).length).toBe(1)
  })

  it('authenticates with client_secret_post', async () => {
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, ...fixture.post, clientAuth: 'client_secret_post' }) })
    const token = await m.getToken()
    expect(idp.tokenRequests.at(-1)?.authorization).toBeUndefined()
    expect(idp.tokenRequests.at(-1)?.params.get('client_id')).toBe('svc-post')
    expect((await idp.introspect(token.accessToken)).client_id).toBe('svc-post')
  })

  it.each([
    ['a JWK', () => idp.clientKey.privateJwk],
    ['a PEM string', () => idp.clientKey.pem],
    ['a PKCS#1 PEM converted by toPkcs8Pem', () => toPkcs8Pem(createPrivateKey(idp.clientKey.pem).export({ type: 'pkcs1', format: 'pem' }) as string)],
    ['an encrypted PEM converted by toPkcs8Pem', () => toPkcs8Pem(createPrivateKey(idp.clientKey.pem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string, { passphrase: 'pw' })],
    ['a CryptoKey', () => createPrivateKey(idp.clientKey.pem).toCryptoKey({ name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])],
  ] as const)('authenticates with private_key_jwt from %s', async (_, key) => {
    const source = clientCredentials({ issuer: idp.issuer, clientId: fixture.jwt.clientId, privateKey: key(), kid: idp.clientKey.kid })
    const token = await manager({ source }).getToken()
    const sent = idp.tokenRequests.at(-1)
    expect(sent?.params.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    expect((await idp.introspect(token.accessToken)).client_id).toBe('svc-jwt')
  })

  it('reads a federated client assertion afresh at each acquisition', async () => {
    const key = await importJWK(idp.clientKey.privateJwk, 'RS256')
    let calls = 0
    const clientAssertion = (): Promise<string> => {
      calls++
      return new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: idp.clientKey.kid })
        .setIssuer(fixture.jwt.clientId)
        .setSubject(fixture.jwt.clientId)
        .setAudience(idp.issuer)
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime('1m')
        .sign(key)
    }
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, clientId: fixture.jwt.clientId, clientAssertion }) })
    const first = await m.getToken()
    const second = await m.refresh()
    expect(calls).toBe(2)
    expect(idp.tokenRequests.at(-1)?.params.get('client_assertion')).not.toBe(idp.tokenRequests.at(-2)?.params.get('client_assertion'))
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(await idp.isActive(second.accessToken)).toBe(true)
  })

  it('gets JWT access tokens for a resource indicator, verifiable against the JWKS', async () => {
    const source = clientCredentials({ issuer: idp.issuer, ...fixture.basic, resource: fixture.api, scope: ['api:read'] })
    const token = await manager({ source }).getToken()
    const { payload, protectedHeader } = await jwtVerify(token.accessToken, createRemoteJWKSet(new URL(`${idp.issuer}/jwks`)), {
      issuer: idp.issuer,
      audience: fixture.api,
    })
    expect(protectedHeader.typ).toBe('at+jwt')
    expect(payload).toMatchObject({ client_id: 'svc-basic', scope: 'api:read' })
    expect(idp.tokenRequests.at(-1)?.params.get('resource')).toBe(fixture.api)
  })

  it('asks for the manager scopes over its own, and for the merged ones after upgradeScopes', async () => {
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, ...fixture.basic, scope: 'api:read' }), scopes: ['api:write'] })
    expect((await m.getToken()).scope).toEqual(['api:write'])
    expect(idp.tokenRequests.at(-1)?.params.get('scope')).toBe('api:write')
    const upgraded = await m.upgradeScopes(['api:read'])
    expect(idp.tokenRequests.at(-1)?.params.get('scope')).toBe('api:write api:read')
    expect([...upgraded.scope].sort()).toEqual(['api:read', 'api:write'])
  })

  it('fails at once, without retrying, when the client secret is wrong (401 invalid_client)', async () => {
    const before = idp.tokenRequests.length
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, clientId: fixture.basic.clientId, clientSecret: 'wrong-secret-value' }) })
    const error = await rejection(() => m.getToken())
    expect(error.code).toBe(ErrorCode.ENDPOINT_ERROR)
    expect(error).toMatchObject({ status: 401, error: 'invalid_client', transient: false })
    expect(idp.tokenRequests.length - before).toBe(1)
    expect(m.stats().attempts).toBe(1)
  })

  it('refreshes a short-lived token in its advisory window; the new token differs and is valid', async () => {
    const clock = new ManualClock(Date.now())
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, ...fixture.basic }), clock })
    const first = await m.getToken()
    expect(first.expiresAt).toBe(first.issuedAt + TTL * 1000)
    const updated = nextEvent(m, 'updated')
    await clock.advance((first.refreshAt as number) - clock.now())
    expect(await m.getToken()).toBe(first)
    const { token: second, reason } = await updated
    expect(reason).toBe('proactive')
    expect(second.accessToken).not.toBe(first.accessToken)
    expect(await m.getToken()).toBe(second)
    expect(await idp.isActive(second.accessToken)).toBe(true)
    expect(m.stats().attempts).toBe(2)
  })

  it('renews the token on its timer with the default prefetch', async () => {
    const clock = new ManualClock(Date.now())
    const m = manager({ source: clientCredentials({ issuer: idp.issuer, ...fixture.post, clientAuth: 'client_secret_post' }), clock, prefetch: 'async' })
    const first = await m.getToken()
    const updated = nextEvent(m, 'updated')
    await clock.advance((first.refreshAt as number) - clock.now())
    const { token: second, reason } = await updated
    expect(reason).toBe('proactive')
    expect(second.accessToken).not.toBe(first.accessToken)
    expect((await idp.introspect(second.accessToken)).client_id).toBe('svc-post')
  })
})

describe('clientCredentials options', () => {
  it("refuses a PKCS#1, SEC1 or encrypted PEM at creation, pointing to toPkcs8Pem in '@tokenwarden/core/node', without key material", () => {
    const base = { issuer: 'https://idp.example.test', clientId: 'c' }
    const key = createPrivateKey(idp.clientKey.pem)
    const pems = [
      key.export({ type: 'pkcs1', format: 'pem' }) as string,
      key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string,
      createPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'pem' })).export({ type: 'sec1', format: 'pem' }) as string,
    ]
    for (const pem of pems) {
      let error: (Error & { code?: string; option?: string }) | undefined
      try {
        clientCredentials({ ...base, privateKey: pem })
      } catch (caught) {
        error = caught as Error
      }
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'privateKey' })
      expect(error?.message).toContain("'@tokenwarden/core/node'")
      expect(error?.message).not.toContain(pem.split('\n')[2])
    }
  })

  it('refuses conflicting or missing credentials with a coded TypeError', () => {
    const base = { issuer: 'https://idp.example.test', clientId: 'c' }
    expect(() => clientCredentials({ ...base, clientSecret: 'a-secret', privateKey: 'pem' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'clientSecret' }))
    expect(() => clientCredentials({ ...base, clientAuth: 'client_secret_post' })).toThrow(expect.objectContaining({ option: 'clientSecret' }))
    expect(() => clientCredentials({ ...base, privateKey: 'not a key' })).toThrow(expect.objectContaining({ option: 'privateKey' }))
    expect(() => clientCredentials({ ...base, privateKey: idp.clientKey.pem, alg: 'ES256' })).toThrow(expect.objectContaining({ option: 'alg' }))
    expect(() => clientCredentials({ ...base, privateKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } as never })).toThrow(expect.objectContaining({ option: 'privateKey' }))
    expect(() => clientCredentials({ ...base, clientId: '' })).toThrow(expect.objectContaining({ option: 'clientId' }))
    expect(() => clientCredentials({ clientId: 'c' })).toThrow(expect.objectContaining({ option: 'issuer' }))
    expect(() => clientCredentials({ ...base, timeoutMs: 0 })).toThrow(expect.objectContaining({ option: 'timeoutMs' }))
  })

  it('sends audience, claims and extra params, the source options winning over params', async () => {
    const source = clientCredentials({
      tokenEndpoint: `${idp.issuer}/token`,
      issuer: idp.issuer,
      ...fixture.basic,
      scope: 'api:read',
      audience: 'https://aud.example.test',
      params: { scope: 'ignored', extra: ['x', 'y'] },
    })
    await source.acquire(acquireContext({ claims: '{"access_token":{"acr":{"essential":true}}}' }))
    const sent = idp.tokenRequests.at(-1)
    expect(sent?.params.get('claims')).toBe('{"access_token":{"acr":{"essential":true}}}')
    expect(sent?.params.get('scope')).toBe('api:read')
    expect(sent?.params.get('audience')).toBe('https://aud.example.test')
    expect(sent?.params.getAll('extra')).toEqual(['x', 'y'])
  })
})
