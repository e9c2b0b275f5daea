import { createHash, generateKeyPairSync } from 'node:crypto'
import { useManagers } from '@tokenwarden/test-utils'
import { type LoopbackServer, listen, readBody, sendJson } from '@tokenwarden/test-utils/http'
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { DPoPPrivateJwk } from '../../src/dpop/dpop-key.ts'
import { ErrorCode, ReauthorizationRequiredError } from '../../src/errors.ts'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { refreshToken } from '../../src/oauth/refresh-token.ts'
import { AuthRequest } from '../../src/policy/auth-request.ts'
import { RequestAuth } from '../../src/policy/request-auth.ts'
import { MemoryStore } from '../../src/stores/memory-store.ts'
import { TokenManager } from '../../src/token-manager.ts'
import type { TokenManagerOptions } from '../../src/token-manager-options.ts'

/** A token endpoint that ignores DPoP: it records each request's proof and answers a Bearer token. */
let endpoint: LoopbackServer
const proofs: (string | undefined)[] = []
let issued = 0
const API = 'https://api.example.com'

beforeAll(async () => {
  endpoint = await listen((req, res) => {
    void readBody(req).then(() => {
      proofs.push(req.headers.dpop as string | undefined)
      sendJson(res, 200, { access_token: `bearer-${++issued}`, token_type: 'Bearer', expires_in: 600 })
    })
  })
})
afterEach(() => {
  proofs.length = 0
})
afterAll(() => endpoint.close())
const newManager = useManagers({ origins: [API] })

/** A private JWK the credential shares (as several processes would). */
function sharedKey(): DPoPPrivateJwk {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as DPoPPrivateJwk
}

function manager(dpop: unknown, options: Partial<TokenManagerOptions> = {}): TokenManager {
  const source = clientCredentials({ tokenEndpoint: endpoint.url('/token'), clientId: 'c', clientSecret: 's', dpop: dpop as never })
  return newManager({ name: 'dpop', source, ...options })
}

describe('DPoP token requests', () => {
  it('sends a proof for the token endpoint signed with the credential key', async () => {
    const key = sharedKey()
    const m = manager({ key })
    await m.getToken()
    const proof = proofs[0] as string
    const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt' })
    expect(payload).toMatchObject({ htm: 'POST', htu: endpoint.url('/token') })
    expect(await calculateJwkThumbprint(protectedHeader.jwk as never)).toBe(m.dpop?.key.thumbprint)
  })

  it('uses a token the server issued as Bearer as Bearer: no proof on the requests it goes with', async () => {
    const m = manager(true)
    const token = await m.getToken()
    expect(token.tokenType).toBe('Bearer')
    expect(token.jkt).toBeUndefined()
    const request = new RequestAuth(m).begin({ url: `${API}/v1`, method: 'GET' }) as AuthRequest
    expect(request.ready()).toBeUndefined()
    expect(request.authorization).toBe(token.authorization)
    expect(request.dpop).toBeUndefined()
  })

  it('fails with TOKEN_DPOP_NOT_BOUND, without retrying, when DPoP is required and the server answers Bearer', async () => {
    const m = manager({ required: true }, { maxRetries: 3 })
    await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.DPOP_NOT_BOUND, transient: false })
    expect(proofs).toHaveLength(1)
  })
})

describe('DPoP refresh tokens', () => {
  it('treats invalid_dpop_proof on a refresh like invalid_grant: reauthorization required, no retry', async () => {
    let requests = 0
    const refusing = await listen((req, res) => {
      void readBody(req).then(() => {
        requests++
        sendJson(res, 400, { error: 'invalid_dpop_proof', error_description: 'the proof does not match the bound key' })
      })
    })
    try {
      const source = refreshToken({ tokenEndpoint: refusing.url('/token'), clientId: 'c', refreshToken: 'rt-1', dpop: { key: sharedKey() } })
      const m = newManager({ name: 'rt', source, maxRetries: 3 })
      await expect(m.getToken()).rejects.toBeInstanceOf(ReauthorizationRequiredError)
      expect(requests).toBe(1)
    } finally {
      await refusing.close()
    }
  })
})

describe('DPoP tokens in a store', () => {
  const record = (jkt: string) => ({
    accessToken: 'stored-dpop',
    tokenType: 'DPoP',
    scope: [],
    issuedAt: Date.now(),
    expiresAt: Date.now() + 600_000,
    source: 'client-credentials',
    jkt,
  })

  it('restores a stored DPoP token bound to the same key, and drops one bound to another', async () => {
    const key = sharedKey()
    const thumbprint = await calculateJwkThumbprint({ kty: key.kty, crv: key.crv, x: key.x, y: key.y } as never)
    const before = issued
    const same = new MemoryStore()
    await same.set('dpop', record(thumbprint))
    const restored = await manager({ key }, { store: same }).getToken()
    expect(restored.accessToken).toBe('stored-dpop')
    expect(issued).toBe(before)

    const other = new MemoryStore()
    await other.set('dpop', record('another-key-thumbprint'))
    const fresh = await manager({ key }, { store: other }).getToken()
    expect(fresh.accessToken).not.toBe('stored-dpop')
    expect(issued).toBe(before + 1)
    expect(fresh.tokenType).toBe('Bearer')
  })
})

describe('resource proofs', () => {
  it('signs a proof per send with the DPoP token: htm, htu without query, ath, and a nonce once one is learned', async () => {
    const m = manager({ key: sharedKey() })
    await m.setToken({ accessToken: 'bound', tokenType: 'DPoP', expiresIn: 600 })
    const auth = new RequestAuth(m)
    const request = auth.begin({ url: `${API}/items?page=2#top`, method: 'post' }) as AuthRequest
    expect(request.ready()).toBeUndefined()
    expect(request.authorization).toBe('DPoP bound')
    const first = await jwtVerify(request.dpop as string, EmbeddedJWK, { typ: 'dpop+jwt' })
    expect(first.payload).toMatchObject({ htm: 'POST', htu: `${API}/items` })
    expect(first.payload.nonce).toBeUndefined()
    expect(first.payload.ath).toBe(createHash('sha256').update('bound').digest('base64url'))
    expect(decodeProtectedHeader(request.dpop as string).alg).toBe(m.dpop?.key.alg)

    const challenge = (name: string) =>
      name === 'www-authenticate' ? 'DPoP error="use_dpop_nonce"' : name === 'dpop-nonce' ? 'n-1' : undefined
    await expect(request.respond(401, challenge)).resolves.toBe('nonce')
    const second = await jwtVerify(request.dpop as string, EmbeddedJWK, { typ: 'dpop+jwt' })
    expect(second.payload).toMatchObject({ nonce: 'n-1', htm: 'POST' })
    expect(second.payload.jti).not.toBe(first.payload.jti)
    expect(request.respond(401, challenge)).toBeUndefined()

    expect(request.redirected(`${API}/moved`, 'GET')).toBe('attach')
    expect((await jwtVerify(request.dpop as string, EmbeddedJWK)).payload).toMatchObject({ htm: 'GET', htu: `${API}/moved`, nonce: 'n-1' })
  })

  it('never retries a nonce challenge that brings no new nonce', async () => {
    const m = manager({ key: sharedKey() })
    await m.setToken({ accessToken: 'bound', tokenType: 'DPoP', expiresIn: 600 })
    const request = new RequestAuth(m).begin({ url: `${API}/x`, method: 'GET' }) as AuthRequest
    request.ready()
    expect(request.respond(401, (name) => (name === 'www-authenticate' ? 'DPoP error="use_dpop_nonce"' : undefined))).toBeUndefined()
  })
})
