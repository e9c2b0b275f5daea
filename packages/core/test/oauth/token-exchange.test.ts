import { acquireContext, rejection, useManagers } from '@tokenwarden/test-utils'
import { type Idp, fixture, startIdp } from '@tokenwarden/test-utils/oidc'
import { ErrorCode } from '../../src/errors.ts'
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { jwtBearer } from '../../src/oauth/jwt-bearer.ts'
import { TokenTypes, tokenExchange } from '../../src/oauth/token-exchange.ts'

/** The enterprise IdP (token exchange, issues ID-JAGs) and the API's own authorization server (jwt-bearer). */
let idp: Idp
let as: Idp
const manager = useManagers()

beforeAll(async () => {
  idp = await startIdp()
  const idpKeys = createRemoteJWKSet(new URL(`${idp.issuer}/jwks`))
  as = await startIdp({
    verifyAssertion: async (assertion) => {
      const { payload } = await jwtVerify(assertion, idpKeys, { issuer: idp.issuer, audience: as.issuer })
      return String(payload.scope ?? 'api:read')
    },
  })
})
afterAll(async () => {
  await Promise.all([idp.close(), as.close()])
})

/** An access token of `svc-basic` at the IdP, to exchange. */
async function subjectToken(): Promise<string> {
  return (await clientCredentials({ issuer: idp.issuer, ...fixture.basic }).acquire(acquireContext())).accessToken
}

describe('token exchange (RFC 8693)', () => {
  it('exchanges a subject token read afresh at each acquisition', async () => {
    let reads = 0
    const subject = await subjectToken()
    const m = manager({
      source: tokenExchange({
        issuer: idp.issuer,
        ...fixture.exchanger,
        subjectToken: () => {
          reads++
          return subject
        },
        subjectTokenType: TokenTypes.accessToken,
        requestedTokenType: TokenTypes.accessToken,
        audience: ['https://a.example.test', 'https://b.example.test'],
        scope: 'api:read',
      }),
    })
    const token = await m.getToken()
    await m.refresh()
    expect(reads).toBe(2)
    expect(token.source).toBe('token-exchange')
    expect(token.tokenType).toBe('Bearer')
    const sent = idp.tokenRequests.at(-1)
    expect(sent?.params.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:token-exchange')
    expect(sent?.params.get('subject_token_type')).toBe(TokenTypes.accessToken)
    expect(sent?.params.getAll('audience')).toEqual(['https://a.example.test', 'https://b.example.test'])
    expect(sent?.params.get('scope')).toBe('api:read')
  })

  it('fails terminally with invalid_grant for a subject token the IdP does not know', async () => {
    const m = manager({
      source: tokenExchange({ issuer: idp.issuer, ...fixture.exchanger, subjectToken: () => 'not-a-token-the-idp-issued', subjectTokenType: TokenTypes.accessToken }),
    })
    const error = await rejection(() => m.getToken())
    expect(error).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status: 400, error: 'invalid_grant', transient: false })
    expect(m.stats().attempts).toBe(1)
  })
})

describe('jwt-bearer (RFC 7523)', () => {
  it('trades a signed assertion for an access token', async () => {
    const now = Math.floor(Date.now() / 1000)
    const assertion = await idp.sign({ iss: idp.issuer, sub: 'user-1', aud: as.issuer, exp: now + 60, iat: now, scope: 'api:write' }, 'JWT')
    const m = manager({ source: jwtBearer({ issuer: as.issuer, ...fixture.exchanger, assertion: () => assertion }) })
    const token = await m.getToken()
    expect(token.source).toBe('jwt-bearer')
    expect(token.scope).toEqual(['api:write'])
    expect(as.tokenRequests.at(-1)?.params.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer')
    expect(await as.isActive(token.accessToken)).toBe(true)
  })

  it('fails terminally with invalid_grant for an assertion the server refuses', async () => {
    const m = manager({ source: jwtBearer({ issuer: as.issuer, ...fixture.exchanger, assertion: async () => 'e30.e30.forged' }) })
    expect(await rejection(() => m.getToken())).toMatchObject({ error: 'invalid_grant', transient: false })
    expect(m.stats().attempts).toBe(1)
  })
})

describe('identity assertion authorization grant (ID-JAG)', () => {
  it('composes token exchange at the IdP with jwt-bearer at the API authorization server', async () => {
    const subject = await subjectToken()
    const idJag = manager({
      name: 'crm-id-jag',
      source: tokenExchange({
        issuer: idp.issuer,
        ...fixture.exchanger,
        subjectToken: () => subject,
        subjectTokenType: TokenTypes.accessToken,
        requestedTokenType: TokenTypes.idJag,
        audience: as.issuer,
      }),
    })
    const crm = manager({
      name: 'crm',
      source: jwtBearer({
        issuer: as.issuer,
        ...fixture.exchanger,
        assertion: async () => (await idJag.refresh()).accessToken,
      }),
    })
    const token = await crm.getToken()
    const assertion = idJag.peek()
    expect(assertion?.tokenType).toBe('N_A')
    expect(decodeProtectedHeader(assertion?.accessToken as string).typ).toBe('oauth-id-jag+jwt')
    expect(decodeJwt(assertion?.accessToken as string)).toMatchObject({ iss: idp.issuer, aud: as.issuer })
    expect(idp.tokenRequests.at(-1)?.params.get('requested_token_type')).toBe(TokenTypes.idJag)
    expect(as.tokenRequests.at(-1)?.params.get('assertion')).toBe(assertion?.accessToken)
    expect(await as.isActive(token.accessToken)).toBe(true)

    await crm.refresh()
    expect(idJag.stats().attempts).toBe(2)
  })
})
