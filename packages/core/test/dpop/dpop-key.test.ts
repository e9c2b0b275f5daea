import { type JsonWebKey, generateKeyPairSync, webcrypto } from 'node:crypto'
import { inspect } from 'node:util'
import { rejection } from '@tokenwarden/test-utils'
import { EmbeddedJWK, calculateJwkThumbprint, decodeProtectedHeader, jwtVerify } from 'jose'
import * as client from 'openid-client'
import { describe, expect, it } from 'vitest'
import { DPOP_ALGORITHMS, type DPoPAlgorithm } from '../../src/dpop/dpop-algorithms.ts'
import { DPoPKey, type DPoPKeyInput, checkDPoPOptions } from '../../src/dpop/dpop-key.ts'
import { ErrorCode } from '../../src/errors.ts'
import { toPkcs8Pem } from '../../src/node.ts'

const NOW = Date.now()
const { subtle } = webcrypto

const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const ed = generateKeyPairSync('ed25519')
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const privateJwk = ec256.privateKey.export({ format: 'jwk' }) as JsonWebKey & { d: string; kty: string }
const pkcs8 = ec256.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
/** The base64 body of the PEM: what must never appear in an error or a rendering. */
const pemBody = pkcs8.split('\n')[1] as string

const renderings = (value: unknown): string[] => [String(value), JSON.stringify(value), inspect(value), inspect(value, { depth: 10, showHidden: true }), inspect({ ...(value as object) }, { depth: 10, showHidden: true })]

/** A proof of `key` verifies, with the key's own algorithm and public JWK. */
async function expectWorking(key: DPoPKey): Promise<void> {
  const proof = await key.proof({ htm: 'GET', htu: 'https://a.example/', accessToken: 'at', now: NOW })
  const { protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [key.alg] })
  expect(protectedHeader.jwk).toEqual(key.publicJwk)
}

/** openid-client's handle signs a token-endpoint proof with the key; the same alg, jwk and thumbprint as ours. */
async function expectOpenIdClientProof(key: DPoPKey): Promise<void> {
  const config = new client.Configuration({ issuer: 'https://as.example.com', token_endpoint: 'https://as.example.com/token' }, 'client')
  const handle = key.handle(config)
  const headers = new Headers()
  await (handle as unknown as { addProof(url: URL, headers: Headers, htm: string): Promise<void> }).addProof(new URL('https://as.example.com/token'), headers, 'POST')
  const proof = headers.get('dpop') as string
  const { protectedHeader, payload } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: [key.alg] })
  expect(protectedHeader.alg).toBe(key.alg)
  expect(await calculateJwkThumbprint(protectedHeader.jwk as never)).toBe(key.thumbprint)
  expect(await handle.calculateThumbprint()).toBe(key.thumbprint)
  expect(payload).toMatchObject({ htm: 'POST', htu: 'https://as.example.com/token' })
}

describe('DPoPKey.from: a generated key', () => {
  it.each(DPOP_ALGORITHMS)('of each algorithm (%s) signs proofs, and openid-client signs with its keyPair', async (alg) => {
    const key = await DPoPKey.from({ alg })
    expect(key.alg).toBe(alg)
    await expectWorking(key)
    await expectOpenIdClientProof(key)
    expect(key.keyPair.publicKey.extractable).toBe(true)
    expect(key.keyPair.privateKey.extractable).toBe(false)
  })

  it("is ES256 when the server lists no algorithm", async () => {
    expect((await DPoPKey.from()).alg).toBe('ES256')
    expect((await DPoPKey.from({}, [])).alg).toBe('ES256')
  })

  it('is of the cheapest algorithm the server lists', async () => {
    const cases: [string[], DPoPAlgorithm][] = [
      [['ES256', 'Ed25519', 'EdDSA'], 'Ed25519'], // oidc-provider 9's default
      [['ES256', 'EdDSA'], 'EdDSA'],
      [['PS256', 'ES256'], 'ES256'],
      [['RS256', 'PS256'], 'RS256'],
      [['ES384', 'PS256'], 'PS256'],
      [['ES512', 'ES384'], 'ES384'],
    ]
    for (const [server, alg] of cases) expect((await DPoPKey.from({}, server)).alg, server.join(' ')).toBe(alg)
  })

  it('refuses when the server lists nothing it can sign, or not the explicit alg', async () => {
    const none = await rejection(() => DPoPKey.from({}, ['ES512', 'ML-DSA-44']))
    expect(none).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'dpop.alg', transient: false })
    const unlisted = await rejection(() => DPoPKey.from({ alg: 'ES384' }, ['ES256']))
    expect(unlisted).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'dpop.alg' })
  })

  it('ignores entries of the server list that are not strings', async () => {
    expect((await DPoPKey.from({}, [42, null, 'ES256'] as never)).alg).toBe('ES256')
  })
})

describe('DPoPKey.from: a given key', () => {
  it('takes a private JWK, and its alg', async () => {
    const key = await DPoPKey.from({ key: privateJwk })
    expect(key.alg).toBe('ES256')
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(privateJwk as never))
    await expectWorking(key)
    await expectOpenIdClientProof(key)
    await expect(DPoPKey.from({ key: { ...privateJwk, alg: 'ES256' } })).resolves.toBeInstanceOf(DPoPKey)
  })

  it('takes PKCS#8 PEM private keys, and SEC1 and PKCS#1 ones once converted by toPkcs8Pem (@tokenwarden/core/node)', async () => {
    const pems = [
      pkcs8,
      toPkcs8Pem(ec256.privateKey.export({ type: 'sec1', format: 'pem' }) as string),
      toPkcs8Pem(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string),
      ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    ]
    const algs = []
    for (const pem of pems) {
      const key = await DPoPKey.from({ key: pem })
      await expectWorking(key)
      await expectOpenIdClientProof(key)
      algs.push(key.alg)
    }
    expect(algs).toEqual(['ES256', 'ES256', 'RS256', 'EdDSA'])
  })

  it("takes a CryptoKeyPair as openid-client's randomDPoPKeyPair makes it (extractable), and hands it back as is", async () => {
    for (const alg of ['ES256', 'Ed25519', 'PS256', 'RS256']) {
      const pair = await client.randomDPoPKeyPair(alg, { extractable: true })
      const key = await DPoPKey.from({ key: pair })
      expect(key.keyPair).toBe(pair)
      expect(key.alg).toBe(alg === 'Ed25519' ? 'EdDSA' : alg)
      await expectWorking(key)
      await expectOpenIdClientProof(key)
    }
  })

  it('makes a non-extractable public key extractable, as openid-client needs it', async () => {
    const pair = (await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair
    const spki = await subtle.exportKey('spki', pair.publicKey)
    const publicKey = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    const key = await DPoPKey.from({ key: { privateKey: pair.privateKey, publicKey } })
    expect(key.keyPair.privateKey).toBe(pair.privateKey)
    expect(key.keyPair.publicKey.extractable).toBe(true)
    expect(key.thumbprint).toBe(await calculateJwkThumbprint(await subtle.exportKey('jwk', pair.publicKey) as never))
    await expectOpenIdClientProof(key)
  })

  it('chooses, for an Ed25519 or RSA key, the name or padding the server lists', async () => {
    const edPem = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string
    const cases: [string, string[], DPoPAlgorithm][] = [
      [edPem, [], 'EdDSA'],
      [edPem, ['ES256', 'Ed25519', 'EdDSA'], 'Ed25519'],
      [edPem, ['EdDSA'], 'EdDSA'],
      [rsaPem, [], 'RS256'],
      [rsaPem, ['PS256', 'ES256'], 'PS256'],
    ]
    for (const [pem, server, alg] of cases) {
      const key = await DPoPKey.from({ key: pem }, server)
      expect(key.alg, server.join(' ')).toBe(alg)
      await expectOpenIdClientProof(key)
    }
    const explicit = await DPoPKey.from({ key: rsaPem, alg: 'PS256' })
    expect(explicit.alg).toBe('PS256')
    await expectWorking(explicit)
  })

  it('has the RFC 7638 thumbprint jose computes, and a public JWK without private members', async () => {
    for (const input of [privateJwk, rsa.privateKey.export({ format: 'jwk' }), ed.privateKey.export({ format: 'jwk' })]) {
      const key = await DPoPKey.from({ key: input as DPoPKeyInput })
      expect(key.thumbprint).toBe(await calculateJwkThumbprint(key.publicJwk as never))
      expect(key.thumbprint).toBe(await calculateJwkThumbprint(input as never))
      expect(Object.keys(key.publicJwk).some((member) => ['d', 'p', 'q', 'dp', 'dq', 'qi'].includes(member))).toBe(false)
      expect(decodeProtectedHeader(await key.proof({ htm: 'GET', htu: 'https://a.example/', now: NOW })).jwk).toEqual(key.publicJwk)
    }
  })
})

describe('DPoPKey.from: a bad key', () => {
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey
  const cases: [string, unknown, string][] = [
    ['a public JWK', { kty: privateJwk.kty, crv: privateJwk.crv, x: privateJwk.x, y: privateJwk.y }, 'dpop.key'],
    ['a JWK with a broken d', { ...privateJwk, d: 'not-base64url!' }, 'dpop.key'],
    ['a JWK naming an algorithm DPoP does not use', { ...privateJwk, alg: 'HS256' }, 'dpop.key'],
    ['a JWK naming an algorithm of another key type', { ...privateJwk, alg: 'RS256' }, 'dpop.alg'],
    ['a public PEM', ec256.publicKey.export({ type: 'spki', format: 'pem' }), 'dpop.key'],
    ['an encrypted PEM', ec256.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }), 'dpop.key'],
    ['a truncated PEM', pkcs8.slice(0, 80), 'dpop.key'],
    ['garbage', 'not a key', 'dpop.key'],
    ['a number', 42, 'dpop.key'],
    ['an object without d', { kty: 'EC' }, 'dpop.key'],
    ['a P-521 key', generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey.export({ type: 'pkcs8', format: 'pem' }), 'dpop.key'],
    ['a secp256k1 key', generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ format: 'jwk' }), 'dpop.key'],
    ['an X25519 key', generateKeyPairSync('x25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), 'dpop.key'],
    ['an RSASSA-PSS-only key (use a plain RSA key for PS256)', generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }), 'dpop.key'],
    ['a JWK whose d is not its x and y', { ...privateJwk, d: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }).d }, 'dpop.key'],
    ['a 1024-bit RSA key', rsa1024.export({ type: 'pkcs8', format: 'pem' }), 'dpop.key'],
    ['a KeyObject', ec256.privateKey, 'dpop.key'],
  ]

  it.each(cases)('refuses %s with a coded error that holds no key material', async (_name, key, option) => {
    const error = await rejection(() => DPoPKey.from({ key: key as DPoPKeyInput }))
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option, transient: false })
    expect(error.cause).toBeUndefined()
    for (const text of renderings(error)) {
      expect(text).not.toContain(privateJwk.d)
      expect(text).not.toContain(pemBody)
      if (typeof key === 'string') expect(text).not.toContain(key.split('\n')[1] ?? key)
    }
  })

  it('refuses an alg the key cannot sign with, and one the server does not list', async () => {
    expect(await rejection(() => DPoPKey.from({ key: pkcs8, alg: 'RS256' }))).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'dpop.alg' })
    expect(await rejection(() => DPoPKey.from({ key: pkcs8 }, ['RS256', 'PS256']))).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'dpop.key' })
    expect(await rejection(() => DPoPKey.from({ key: pkcs8, alg: 'ES256' }, ['EdDSA']))).toMatchObject({ option: 'dpop.alg' })
  })

  it('takes a CryptoKeyPair whose private key is not extractable (as a browser keeps it): proofs are signed with WebCrypto, asynchronously', async () => {
    const pair = await client.randomDPoPKeyPair('ES256')
    const key = await DPoPKey.from({ key: pair })
    expect(key.keyPair).toBe(pair)
    expect(key.synchronous).toBe(false)
    expect(key.proof({ htm: 'GET', htu: 'https://a.example/', now: NOW })).toBeInstanceOf(Promise)
    await expectWorking(key)
    await expectOpenIdClientProof(key)
  })

  it('refuses a CryptoKeyPair neither of whose halves is extractable (its public JWK cannot be read)', async () => {
    const pair = await client.randomDPoPKeyPair('ES256')
    const spki = await subtle.exportKey('spki', pair.publicKey)
    const publicKey = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    const error = await rejection(() => DPoPKey.from({ key: { privateKey: pair.privateKey, publicKey } }))
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'dpop.key', transient: false })
    expect(error.message).toContain('extractable')
  })

  it("refuses a PKCS#1, SEC1 or encrypted PEM with a coded error pointing to toPkcs8Pem in '@tokenwarden/core/node'", async () => {
    const pems = [
      ec256.privateKey.export({ type: 'sec1', format: 'pem' }) as string,
      rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      ec256.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string,
      ec256.privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string,
    ]
    for (const pem of pems) {
      expect(() => checkDPoPOptions({ key: pem })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'dpop.key' }))
      const error = await rejection(() => DPoPKey.from({ key: pem }))
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'dpop.key', transient: false })
      expect(error.message).toContain("'@tokenwarden/core/node'")
      for (const text of renderings(error)) expect(text).not.toContain(pem.split('\n')[2])
    }
  })

  it('refuses a CryptoKeyPair whose halves do not match, or that cannot sign', async () => {
    const one = await client.randomDPoPKeyPair('ES256', { extractable: true })
    const two = await client.randomDPoPKeyPair('ES256', { extractable: true })
    expect(await rejection(() => DPoPKey.from({ key: { privateKey: one.privateKey, publicKey: two.publicKey } }))).toMatchObject({ option: 'dpop.key' })
    expect(await rejection(() => DPoPKey.from({ key: { privateKey: one.publicKey, publicKey: one.privateKey } }))).toMatchObject({ option: 'dpop.key' })
    const sha384 = (await subtle.generateKey(
      { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair
    expect(await rejection(() => DPoPKey.from({ key: sha384 }))).toMatchObject({ option: 'dpop.key' })
  })

  it('refuses malformed options', async () => {
    expect(await rejection(() => DPoPKey.from({ alg: 'HS256' as DPoPAlgorithm }))).toMatchObject({ option: 'dpop.alg' })
    expect(await rejection(() => DPoPKey.from({ required: 'yes' as never }))).toMatchObject({ option: 'dpop.required' })
    expect(await rejection(() => DPoPKey.from(null as never))).toMatchObject({ option: 'dpop' })
  })
})

describe('checkDPoPOptions', () => {
  it('reads true, false and undefined', () => {
    expect(checkDPoPOptions(undefined)).toBeUndefined()
    expect(checkDPoPOptions(false)).toBeUndefined()
    expect(checkDPoPOptions(true)).toEqual({})
  })

  it('keeps the given members only', () => {
    expect(checkDPoPOptions({ key: pkcs8, alg: 'ES256', required: true })).toEqual({ key: pkcs8, alg: 'ES256', required: true })
    expect(checkDPoPOptions({ required: false })).toEqual({ required: false })
  })

  it('parses the key, so that a bad one fails where the credential is made', () => {
    expect(() => checkDPoPOptions({ key: 'not a key' })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'dpop.key' }))
    expect(() => checkDPoPOptions({ key: pkcs8, alg: 'EdDSA' })).toThrow(expect.objectContaining({ option: 'dpop.alg' }))
    expect(() => checkDPoPOptions('yes')).toThrow(expect.objectContaining({ option: 'dpop' }))
    expect(() => checkDPoPOptions({ alg: 'none' })).toThrow(expect.objectContaining({ option: 'dpop.alg' }))
  })
})

describe('a DPoPKey never shows its private key', () => {
  it('in JSON, inspect, String or a spread', async () => {
    for (const input of [privateJwk, pkcs8] as DPoPKeyInput[]) {
      const key = await DPoPKey.from({ key: input })
      for (const text of renderings(key)) {
        expect(text).not.toContain(privateJwk.d)
        expect(text).not.toContain(pemBody)
      }
      expect(JSON.parse(JSON.stringify(key))).toEqual({ alg: 'ES256', thumbprint: key.thumbprint, publicJwk: key.publicJwk })
      expect(inspect(key)).toMatch(/^DPoPKey \{/)
      expect(inspect(key)).toContain(key.thumbprint)
    }
  })
})
