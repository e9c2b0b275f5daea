import { decodeJwt } from 'jose'
import * as client from 'openid-client'
import { afterEach, describe, expect, it } from 'vitest'
import { CredentialRegistry } from '../../src/credential-registry.ts'
import { dpopBinding } from '../../src/dpop/dpop-binding.ts'
import type { DPoPOptions } from '../../src/dpop/dpop-key.ts'
import { AuthRequest } from '../../src/policy/auth-request.ts'
import { RequestAuth } from '../../src/policy/request-auth.ts'
import type { TokenSource } from '../../src/source.ts'

// A DPoP proof signed asynchronously (WebCrypto: browsers and workerd, or a user's non-extractable
// CryptoKeyPair anywhere): the request waits for its proof, and never sends an old one.

const registry = new CredentialRegistry()
afterEach(() => registry.close())

/** A credential whose tokens are DPoP-bound to `options.key`, its token cached, and its RequestAuth. */
async function setup(options: DPoPOptions, tokenType = 'DPoP') {
  const source: TokenSource = { kind: 'bound', acquire: async () => ({ accessToken: 'bound', tokenType, expiresIn: 600 }), dpop: dpopBinding(options, async () => undefined) }
  const manager = registry.register('api', { source, origins: ['https://api.example.com'] })
  await manager.getToken()
  return { manager, auth: new RequestAuth('api', { registry }) }
}

function begin(auth: RequestAuth, url = 'https://api.example.com/first'): AuthRequest {
  const request = auth.begin({ url, method: 'post' })
  if (!(request instanceof AuthRequest)) throw new Error(`expected an AuthRequest, got ${request}`)
  return request
}

describe('AuthRequest with a proof signed asynchronously', () => {
  it('ready() waits for the proof even when the token is cached; dpop is set once it resolves', async () => {
    const { manager, auth } = await setup({ key: await client.randomDPoPKeyPair('ES256') })
    expect(manager.dpop?.key.synchronous).toBe(false)
    const request = begin(auth)
    const ready = request.ready()
    expect(ready).toBeInstanceOf(Promise)
    expect(request.dpop).toBeUndefined()
    expect(request.signing).toBe(ready)
    await ready
    expect(request.signing).toBeUndefined()
    expect(decodeJwt(request.dpop as string)).toMatchObject({ htm: 'POST', htu: 'https://api.example.com/first' })
    expect(request.authorization).toBe('DPoP bound')
  })

  it('after a redirect hop, signing holds the new proof until it is signed for the new URL', async () => {
    const { auth } = await setup({ key: await client.randomDPoPKeyPair('ES256') })
    const request = begin(auth)
    await request.ready()
    const first = request.dpop
    expect(request.redirected('https://api.example.com/second', 'GET')).toBe('attach')
    expect(request.dpop).toBeUndefined()
    await request.signing
    expect(request.dpop).not.toBe(first)
    expect(decodeJwt(request.dpop as string)).toMatchObject({ htm: 'GET', htu: 'https://api.example.com/second' })
  })

  it('a nonce retry resolves once the proof carrying the new nonce is signed', async () => {
    const { auth } = await setup({ key: await client.randomDPoPKeyPair('ES256') })
    const request = begin(auth)
    await request.ready()
    const header = (name: string) => (name === 'www-authenticate' ? 'DPoP error="use_dpop_nonce"' : name === 'dpop-nonce' ? 'n-2' : undefined)
    const retry = request.respond(401, header)
    expect(await retry).toBe('nonce')
    expect(decodeJwt(request.dpop as string)).toMatchObject({ nonce: 'n-2', htu: 'https://api.example.com/first' })
  })

  it('a later proof is never replaced by an earlier one that resolves after it', async () => {
    const { auth } = await setup({ key: await client.randomDPoPKeyPair('ES256') })
    const request = begin(auth)
    const ready = request.ready()
    request.redirected('https://api.example.com/later')
    await Promise.all([ready, request.signing])
    await new Promise((resolve) => setTimeout(resolve, 10))
    expect(decodeJwt(request.dpop as string).htu).toBe('https://api.example.com/later')
  })
})

describe('AuthRequest with a proof signed synchronously (node:crypto) or no proof at all', () => {
  it('ready() is undefined for a cached DPoP-bound token whose key signs synchronously', async () => {
    const { manager, auth } = await setup({})
    expect(manager.dpop?.key.synchronous).toBe(true)
    const request = begin(auth)
    expect(request.ready()).toBeUndefined()
    expect(request.signing).toBeUndefined()
    expect(typeof request.dpop).toBe('string')
  })

  it('ready() is undefined, and no proof is made, for a cached bearer token (the hot path)', async () => {
    const { auth } = await setup({ key: await client.randomDPoPKeyPair('ES256') }, 'Bearer')
    const request = begin(auth)
    expect(request.ready()).toBeUndefined()
    expect(request.signing).toBeUndefined()
    expect(request.dpop).toBeUndefined()
  })
})
