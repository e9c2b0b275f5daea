import { createHash } from 'node:crypto'
import { EmbeddedJWK, type JWTPayload, base64url, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose'
import { beforeAll, describe, expect, it, vi } from 'vitest'
import { DPOP_ALGORITHMS, type DPoPAlgorithm } from '../../src/dpop/dpop-algorithms.ts'
import { DPoPKey } from '../../src/dpop/dpop-key.ts'
import { ErrorCode } from '../../src/errors.ts'

const NOW = Date.UTC(2026, 10, 2, 12, 0, 0, 750)
const ACCESS = 'at-SECRET-0a1b2c3d'
const ath = (token: string): string => createHash('sha256').update(token).digest('base64url')

const keys = new Map<DPoPAlgorithm, DPoPKey>()
beforeAll(async () => {
  for (const alg of DPOP_ALGORITHMS) keys.set(alg, await DPoPKey.from({ alg }))
})
const keyOf = (alg: DPoPAlgorithm): DPoPKey => keys.get(alg) as DPoPKey

async function verified(key: DPoPKey, proof: string): Promise<JWTPayload> {
  const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [key.alg], currentDate: new Date(NOW) })
  expect(protectedHeader).toEqual({ typ: 'dpop+jwt', alg: key.alg, jwk: key.publicJwk })
  return payload
}

describe('DPoPKey.proof', () => {
  it.each(DPOP_ALGORITHMS)('signs a proof jose verifies with the embedded key (%s)', async (alg) => {
    const key = keyOf(alg)
    const proof = await key.proof({ htm: 'POST', htu: 'https://api.example.com/v1/items', accessToken: ACCESS, nonce: 'n-1', now: NOW })
    expect(await verified(key, proof)).toEqual({
      jti: expect.any(String),
      htm: 'POST',
      htu: 'https://api.example.com/v1/items',
      iat: Math.floor(NOW / 1000),
      ath: ath(ACCESS),
      nonce: 'n-1',
    })
  })

  it('writes ECDSA signatures as JWS wants them (r || s), not DER', async () => {
    const length = async (alg: DPoPAlgorithm) => base64url.decode((await keyOf(alg).proof({ htm: 'GET', htu: 'https://a.example/', now: NOW })).split('.')[2] as string).length
    expect(await length('ES256')).toBe(64)
    expect(await length('ES384')).toBe(96)
  })

  it('binds htu to the origin and path: no query, fragment, user info or default port', async () => {
    const key = keyOf('ES256')
    const htu = async (url: string | URL) => (await verified(key, await key.proof({ htm: 'GET', htu: url, now: NOW }))).htu
    expect(await htu('https://api.example.com/v1/items?limit=10&cursor=abc#frag')).toBe('https://api.example.com/v1/items')
    expect(await htu('https://user:pass@API.example.com:443/a/../b?x')).toBe('https://api.example.com/b')
    expect(await htu(new URL('http://127.0.0.1:8080/echo?q=1#f'))).toBe('http://127.0.0.1:8080/echo')
    expect(await htu('https://api.example.com')).toBe('https://api.example.com/')
  })

  it('gives every proof its own jti, and keeps the encoded header', async () => {
    const key = keyOf('Ed25519')
    const proofs = await Promise.all(Array.from({ length: 1000 }, () => key.proof({ htm: 'GET', htu: 'https://a.example/', accessToken: ACCESS, now: NOW })))
    const jtis = new Set(proofs.map((proof) => decodeJwt(proof).jti))
    expect(jtis.size).toBe(1000)
    expect(new Set(proofs.map((proof) => proof.split('.')[0])).size).toBe(1)
  })

  it("hashes each access token into ath, whichever was hashed before", async () => {
    const key = keyOf('ES256')
    for (const token of [ACCESS, 'another-token', ACCESS, 'ü-non-ascii']) {
      expect((await verified(key, await key.proof({ htm: 'GET', htu: 'https://a.example/', accessToken: token, now: NOW }))).ath).toBe(ath(token))
    }
  })

  it('leaves out ath and nonce when there is no token or nonce (a token request)', async () => {
    const key = keyOf('ES256')
    const payload = await verified(key, await key.proof({ htm: 'POST', htu: 'https://as.example/token', now: NOW }))
    expect(Object.keys(payload).sort()).toEqual(['htm', 'htu', 'iat', 'jti'])
  })

  it('refuses a malformed input with a coded TypeError', () => {
    const key = keyOf('ES256')
    const cases: [Record<string, unknown>, string][] = [
      [{ htm: 'GET', htu: '/relative', now: NOW }, 'htu'],
      [{ htm: 'GET', htu: 'ftp://a.example/file', now: NOW }, 'htu'],
      [{ htm: 'GET', htu: 42, now: NOW }, 'htu'],
      [{ htm: 'G E T', htu: 'https://a.example/', now: NOW }, 'htm'],
      [{ htm: '', htu: 'https://a.example/', now: NOW }, 'htm'],
      [{ htm: 'GET', htu: 'https://a.example/', now: Number.NaN }, 'now'],
      [{ htm: 'GET', htu: 'https://a.example/', now: NOW, nonce: 7 }, 'nonce'],
      [{ htm: 'GET', htu: 'https://a.example/', now: NOW, accessToken: {} }, 'accessToken'],
    ]
    for (const [input, option] of cases) {
      expect(() => key.proof(input as never), option).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option }))
    }
  })

  it('signs synchronously where the runtime has node:crypto', () => {
    const proof: unknown = keyOf('EdDSA').proof({ htm: 'GET', htu: 'https://a.example/', now: NOW })
    for (const alg of DPOP_ALGORITHMS) expect(keyOf(alg).synchronous, alg).toBe(true)
    expect(typeof proof).toBe('string')
    expect(decodeProtectedHeader(proof as string).alg).toBe('EdDSA')
  })
})

describe('DPoPKey.proof without node:crypto (browsers, workerd): WebCrypto, asynchronously', () => {
  const webKeys = new Map<DPoPAlgorithm, DPoPKey>()
  beforeAll(async () => {
    const spy = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined)
    try {
      for (const alg of DPOP_ALGORITHMS) webKeys.set(alg, await DPoPKey.from({ alg }))
    } finally {
      spy.mockRestore()
    }
  })

  it.each(DPOP_ALGORITHMS)('signs a proof jose verifies, with the same claims (%s)', async (alg) => {
    const key = webKeys.get(alg) as DPoPKey
    expect(key.synchronous).toBe(false)
    const proof = key.proof({ htm: 'POST', htu: 'https://api.example.com/v1/items?q=1', accessToken: ACCESS, nonce: 'n-1', now: NOW })
    expect(proof).toBeInstanceOf(Promise)
    expect(await verified(key, await proof)).toEqual({
      jti: expect.any(String),
      htm: 'POST',
      htu: 'https://api.example.com/v1/items',
      iat: Math.floor(NOW / 1000),
      ath: ath(ACCESS),
      nonce: 'n-1',
    })
  })

  it('writes ECDSA signatures as r || s, and hashes each new token into ath', async () => {
    const key = webKeys.get('ES256') as DPoPKey
    const proof = await key.proof({ htm: 'GET', htu: 'https://a.example/', accessToken: 'ü-non-ascii', now: NOW })
    expect(base64url.decode(proof.split('.')[2] as string).length).toBe(64)
    expect((await verified(key, proof)).ath).toBe(ath('ü-non-ascii'))
    expect((await verified(key, await key.proof({ htm: 'GET', htu: 'https://a.example/', accessToken: ACCESS, now: NOW }))).ath).toBe(ath(ACCESS))
  })

  it('refuses a malformed input synchronously, with a coded TypeError', () => {
    const key = webKeys.get('ES256') as DPoPKey
    expect(() => key.proof({ htm: 'G E T', htu: 'https://a.example/', now: NOW })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'htm' }))
  })
})
