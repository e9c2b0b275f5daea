import { randomUUID } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import {
  type DpopRecordedRequest,
  type DpopResourceServer,
  accessTokenHash,
  startDpopResourceServer,
} from '@tokenwarden/test-utils/http'
import { type ClientSecretPair, type Idp, fixture, startIdp } from '@tokenwarden/test-utils/oidc'
import { SignJWT, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair } from 'jose'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let provider: Idp
let rs: DpopResourceServer
let bearerRs: DpopResourceServer

beforeAll(async () => {
  provider = await startIdp()
  ;[rs, bearerRs] = await Promise.all([
    startDpopResourceServer({ authorizationServer: provider, requireNonce: true }),
    startDpopResourceServer({ authorizationServer: provider, acceptBearer: true }),
  ])
})
afterAll(async () => {
  await Promise.all([provider?.close(), rs?.close(), bearerRs?.close()])
})

const configure = (registered: ClientSecretPair) =>
  client.discovery(new URL(provider.issuer), registered.clientId, undefined, client.ClientSecretBasic(registered.clientSecret), {
    execute: [client.allowInsecureRequests],
  })

interface ProofClaims {
  htm: string
  htu: string
  ath?: string
  nonce?: string
  jti?: string
  iat?: number
}

/** A proof signed with `keys`; `header` overrides the protected header (for negative cases). */
async function prove(keys: CryptoKeyPair, claims: ProofClaims, header: Record<string, unknown> = {}): Promise<string> {
  const jwk = await exportJWK(keys.publicKey)
  const { iat = Math.floor(Date.now() / 1000), jti = randomUUID(), ...rest } = claims
  return new SignJWT({ ...rest, jti, iat }).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header }).sign(keys.privateKey)
}

type Sent = { status: number; headers: Record<string, string | string[] | undefined> }

/** Sends one request with raw header fields (a repeated name is sent as several fields). */
function send(url: string, method: string, headers: Record<string, string | string[]>): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
    })
    req.on('error', reject)
    req.end()
  })
}

const last = (server: DpopResourceServer): DpopRecordedRequest => server.requests.at(-1) as DpopRecordedRequest

describe('DPoP test support: an oidc-provider 9 with DPoP and a judging resource server', () => {
  let keys: CryptoKeyPair
  let config: client.Configuration
  let dpop: client.DPoPHandle
  let tokens: client.TokenEndpointResponse
  let accessToken: string
  const fetchEcho = (method = 'GET', body?: string, path = '/echo') =>
    client.fetchProtectedResource(config, accessToken, new URL(rs.url(path)), method, body, undefined, { DPoP: dpop })

  beforeAll(async () => {
    config = await configure(fixture.dpopBound)
    keys = await client.randomDPoPKeyPair()
    dpop = client.getDPoPHandle(config, keys)
    tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' }, { DPoP: dpop })
    accessToken = tokens.access_token
  })

  it('issues a DPoP-bound JWT after one nonce rejection (2 token POSTs), which the RS accepts after its own nonce retry', async () => {
    expect(tokens.token_type).toBe('dpop')
    const claims = decodeJwt(accessToken)
    expect(claims).toMatchObject({ iss: provider.issuer, aud: provider.resource, scope: 'api:read' })
    expect((claims.cnf as { jkt: string }).jkt).toBe(await calculateJwkThumbprint(await exportJWK(keys.publicKey)))
    expect(provider.tokenRequests).toMatchObject([
      { clientId: 'dpop-bound', proof: true, status: 400, error: 'use_dpop_nonce', tokenType: undefined, nonce: expect.any(String) },
      { clientId: 'dpop-bound', proof: true, status: 200, error: undefined, tokenType: 'DPoP' },
    ])
    expect(provider.nonceRejections).toBe(1)
    expect(provider.issued).toBe(1)

    const response = await fetchEcho('GET', undefined, '/echo?q=1')
    expect(response.status).toBe(200)
    const echoed = (await response.json()) as DpopRecordedRequest
    expect(echoed).toMatchObject({ method: 'GET', path: '/echo?q=1', scheme: 'DPoP', token: accessToken, htu: rs.url('/echo') })
    expect(echoed.nonce).toBe(rs.nonce)
    expect(rs.requests.map((r) => [r.status, r.error, r.reason])).toEqual([
      [401, 'use_dpop_nonce', 'nonce'],
      [200, undefined, undefined],
    ])
    expect(rs.requests[0]).toMatchObject({ proof: true, proofs: 1, htm: 'GET', nonce: undefined, nonceSent: rs.nonce })

    await fetchEcho('POST', 'x=1')
    expect(rs.requests).toHaveLength(3)
    expect(last(rs)).toMatchObject({ status: 200, htm: 'POST', body: 'x=1' })
  })

  it('hands out a rotated nonce on a 2xx, which the next proof carries', async () => {
    const before = rs.nonce
    const rotated = rs.rotateNonce()
    const first = await fetchEcho()
    expect(first.status).toBe(200)
    expect(first.headers.get('dpop-nonce')).toBe(rotated)
    expect(last(rs)).toMatchObject({ nonce: before, nonceSent: rotated })

    await fetchEcho()
    expect(last(rs)).toMatchObject({ status: 200, nonce: rotated, nonceSent: undefined })

    const stale = rs.nonce
    rs.rotateNonce({ acceptPrevious: false })
    const proof = await prove(keys, { htm: 'GET', htu: rs.url('/echo'), ath: accessTokenHash(accessToken), nonce: stale })
    const rejected = await send(rs.url('/echo'), 'GET', { authorization: `DPoP ${accessToken}`, dpop: proof })
    expect(rejected.status).toBe(401)
    expect(rejected.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/)
    expect(rejected.headers['dpop-nonce']).toBe(rs.nonce)
  })

  it('rejects a replayed proof (same jti) after accepting it once', async () => {
    const proof = await prove(keys, { htm: 'GET', htu: rs.url('/echo'), ath: accessTokenHash(accessToken), nonce: rs.nonce })
    const headers = { authorization: `DPoP ${accessToken}`, dpop: proof }
    expect((await send(rs.url('/echo'), 'GET', headers)).status).toBe(200)
    const replay = await send(rs.url('/echo'), 'GET', headers)
    expect(replay.status).toBe(401)
    expect(replay.headers['www-authenticate']).toMatch(/^DPoP error="invalid_dpop_proof", error_description="jti replay"/)
    expect(last(rs)).toMatchObject({ reason: 'jti-replay', error: 'invalid_dpop_proof' })
  })

  type Case = {
    name: string
    reason: DpopRecordedRequest['reason']
    /** @default 'invalid_dpop_proof' */
    error?: DpopRecordedRequest['error']
    method?: string
    request: () => Promise<Record<string, string | string[]>>
  }
  /** A proof that passes every check for `GET /echo` (its nonce included), but for `claims` and `header`. */
  const valid = (claims: Partial<ProofClaims> = {}, header: Record<string, unknown> = {}, signer?: CryptoKeyPair) =>
    prove(signer ?? keys, { htm: 'GET', htu: rs.url('/echo'), ath: accessTokenHash(accessToken), nonce: rs.nonce, ...claims }, header)
  const dpopWith = async (proof: string | string[] | Promise<string>) => ({ authorization: `DPoP ${accessToken}`, dpop: await proof })
  const now = () => Math.floor(Date.now() / 1000)
  const cases: Case[] = [
    {
      name: 'the Bearer scheme for a bound token',
      reason: 'bearer-scheme',
      error: 'invalid_token',
      request: async () => ({ authorization: `Bearer ${accessToken}`, dpop: await valid() }),
    },
    { name: 'a missing proof', reason: 'missing-proof', request: async () => ({ authorization: `DPoP ${accessToken}` }) },
    { name: 'two DPoP header fields', reason: 'multiple-proofs', request: async () => dpopWith([await valid(), await valid()]) },
    { name: 'a comma-joined DPoP header', reason: 'multiple-proofs', request: async () => dpopWith(`${await valid()}, ${await valid()}`) },
    { name: 'a proof for another method (htm)', reason: 'htm', method: 'POST', request: () => dpopWith(valid()) },
    { name: 'a proof for another URL (htu)', reason: 'htu', request: () => dpopWith(valid({ htu: rs.url('/other') })) },
    { name: 'an htu with a query', reason: 'htu', request: () => dpopWith(valid({ htu: rs.url('/echo?q=1') })) },
    { name: 'an iat 120 s old', reason: 'iat', request: () => dpopWith(valid({ iat: now() - 120 })) },
    { name: 'a wrong ath', reason: 'ath', request: () => dpopWith(valid({ ath: accessTokenHash('other') })) },
    { name: 'a proof without nonce', reason: 'nonce', error: 'use_dpop_nonce', request: () => dpopWith(valid({ nonce: undefined })) },
    { name: 'a typ other than dpop+jwt', reason: 'proof-typ', request: () => dpopWith(valid({}, { typ: 'JWT' })) },
    {
      name: 'a private key in jwk',
      reason: 'proof-jwk',
      request: async () => {
        const extractable = await generateKeyPair('ES256', { extractable: true })
        return dpopWith(valid({}, { jwk: await exportJWK(extractable.privateKey) }, extractable))
      },
    },
    {
      name: 'a symmetric algorithm',
      reason: 'proof-alg',
      request: async () => {
        const secret = new TextEncoder().encode('a-shared-secret-of-at-least-32-bytes')
        const jwt = new SignJWT({ htm: 'GET', htu: rs.url('/echo'), jti: randomUUID(), iat: now() })
          .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct' } })
          .sign(secret)
        return dpopWith(jwt)
      },
    },
    {
      name: 'a stolen token proven with another key (cnf.jkt)',
      reason: 'cnf.jkt',
      error: 'invalid_token',
      request: async () => dpopWith(valid({}, {}, await client.randomDPoPKeyPair())),
    },
    {
      name: 'a tampered access token',
      reason: 'access-token',
      error: 'invalid_token',
      request: async () => {
        const tampered = `${accessToken.slice(0, -4)}AAAA`
        const proof = await valid({ ath: accessTokenHash(tampered) })
        return { authorization: `DPoP ${tampered}`, dpop: proof }
      },
    },
  ]

  it.each(cases)('rejects $name (reason $reason)', async ({ reason, error = 'invalid_dpop_proof', method = 'GET', request }) => {
    const response = await send(rs.url('/echo'), method, await request())
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toMatch(new RegExp(`^DPoP error="${error}", error_description="[^"]+", algs="ES256 `))
    expect(last(rs)).toMatchObject({ status: 401, reason, error })
  })

  it('answers a request without a token with a bare DPoP challenge', async () => {
    const response = await send(rs.url('/echo'), 'GET', {})
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toMatch(/^DPoP algs="/)
    expect(last(rs)).toMatchObject({ reason: 'no-token', error: undefined, proof: false })
  })

  it('redirects from /redirect without checking anything', async () => {
    const response = await send(rs.url(`/redirect?to=${encodeURIComponent('/echo')}&status=307`), 'POST', {})
    expect(response).toMatchObject({ status: 307, headers: { location: '/echo' } })
    expect(last(rs)).toMatchObject({ status: 307, reason: undefined, path: '/redirect?to=%2Fecho&status=307' })
  })

  it('records why a bound client without a proof gets invalid_grant', async () => {
    const error = await client.clientCredentialsGrant(config, { scope: 'api:read' }).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ error: 'invalid_grant' })
    expect(provider.tokenRequests.at(-1)).toMatchObject({ proof: false, status: 400, error: 'invalid_grant' })
    expect(provider.tokenRequests.at(-1)?.detail).toBe('DPoP proof JWT not provided')
  })

  it('issues a Bearer token without a proof, which only the Bearer-accepting RS takes', async () => {
    const bearerConfig = await configure(fixture.dpopOptional)
    const bearer = await client.clientCredentialsGrant(bearerConfig, { scope: 'api:read' })
    expect(bearer.token_type).toBe('bearer')
    expect(decodeJwt(bearer.access_token).cnf).toBeUndefined()
    expect(provider.tokenRequests.at(-1)).toMatchObject({ clientId: 'dpop-optional', proof: false, tokenType: 'Bearer' })

    expect((await send(bearerRs.url('/echo'), 'GET', { authorization: `Bearer ${bearer.access_token}` })).status).toBe(200)
    expect(last(bearerRs)).toMatchObject({ scheme: 'Bearer', proof: false, reason: undefined })

    expect((await send(rs.url('/echo'), 'GET', { authorization: `Bearer ${bearer.access_token}` })).status).toBe(401)
    expect(last(rs)).toMatchObject({ reason: 'bearer-scheme', error: 'invalid_token' })

    const unbound = await prove(keys, { htm: 'GET', htu: bearerRs.url('/echo'), ath: accessTokenHash(bearer.access_token) })
    const sentAsDpop = await send(bearerRs.url('/echo'), 'GET', { authorization: `DPoP ${bearer.access_token}`, dpop: unbound })
    expect(sentAsDpop.status).toBe(401)
    expect(last(bearerRs)).toMatchObject({ reason: 'unbound-token', error: 'invalid_token' })

    const bound = await send(bearerRs.url('/echo'), 'GET', { authorization: `Bearer ${accessToken}` })
    expect(bound.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/)
    expect(last(bearerRs)).toMatchObject({ reason: 'bearer-scheme' })
  })
})
