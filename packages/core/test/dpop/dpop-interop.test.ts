import { type DpopRecordedRequest, type DpopResourceServer, startDpopResourceServer } from '@tokenwarden/test-utils/http'
import { type Idp, fixture, startIdp } from '@tokenwarden/test-utils/oidc'
import { decodeJwt } from 'jose'
import * as client from 'openid-client'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DPoPAlgorithm } from '../../src/dpop/dpop-algorithms.ts'
import { DPoPKey, type DPoPOptions } from '../../src/dpop/dpop-key.ts'
import { DPoPNonces } from '../../src/dpop/dpop-nonces.ts'

let provider: Idp
let rs: DpopResourceServer

beforeAll(async () => {
  provider = await startIdp()
  rs = await startDpopResourceServer({ authorizationServer: provider, requireNonce: true })
})
afterAll(async () => {
  await Promise.all([provider?.close(), rs?.close()])
})

/** One GET with a proof of `key`, carrying the origin's last nonce; every answer's nonce is learned. */
async function get(key: DPoPKey, nonces: DPoPNonces, accessToken: string, url: string): Promise<{ status: number; learned: boolean }> {
  const { origin } = new URL(url)
  const dpop = await key.proof({ htm: 'GET', htu: url, accessToken, nonce: nonces.get(origin), now: Date.now() })
  const response = await fetch(url, { headers: { authorization: `DPoP ${accessToken}`, dpop } })
  await response.arrayBuffer()
  return { status: response.status, learned: nonces.learn(origin, response.headers.get('dpop-nonce')) }
}

describe('a DPoPKey against oidc-provider 9 and a judging resource server, both demanding nonces', () => {
  const cases: [string, DPoPOptions, DPoPAlgorithm][] = [
    ['a generated key, from the server list', {}, 'Ed25519'],
    ['a generated EdDSA key (openid-client made to write EdDSA)', { alg: 'EdDSA' }, 'EdDSA'],
    ['a generated ES256 key', { alg: 'ES256' }, 'ES256'],
  ]

  it.each(cases)('%s: openid-client gets a token bound to it, and our proofs pass after one nonce retry', async (_name, options, alg) => {
    const config = await client.discovery(
      new URL(provider.issuer),
      fixture.dpopBound.clientId,
      undefined,
      client.ClientSecretBasic(fixture.dpopBound.clientSecret),
      { execute: [client.allowInsecureRequests] },
    )
    const key = await DPoPKey.from(options, config.serverMetadata().dpop_signing_alg_values_supported)
    expect(key.alg).toBe(alg)
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api:read' }, { DPoP: key.handle(config) })
    expect(tokens.token_type).toBe('dpop')
    expect(decodeJwt(tokens.access_token).cnf).toEqual({ jkt: key.thumbprint })

    const nonces = new DPoPNonces()
    const url = rs.url(`/echo?alg=${alg}#fragment`)
    const seen = rs.requests.length
    expect(await get(key, nonces, tokens.access_token, url)).toEqual({ status: 401, learned: true })
    expect(await get(key, nonces, tokens.access_token, url)).toEqual({ status: 200, learned: false })
    expect(await get(key, nonces, tokens.access_token, url)).toEqual({ status: 200, learned: false })
    expect(rs.requests.slice(seen).map((r: DpopRecordedRequest) => [r.status, r.reason, r.htu])).toEqual([
      [401, 'nonce', rs.url('/echo')],
      [200, undefined, rs.url('/echo')],
      [200, undefined, rs.url('/echo')],
    ])
  })
})
