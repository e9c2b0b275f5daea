import { inspect } from 'node:util'
import { ManualClock, countingSource } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { CredentialRegistry } from '../src/credential-registry.ts'
import { ReauthorizationRequiredError, TokenAcquisitionError, TokenError } from '../src/errors.ts'
import { TokenEndpointError } from '../src/oauth/token-endpoint-error.ts'
import { TokenManager } from '../src/token-manager.ts'
import { Token } from '../src/token.ts'

const ACCESS = 'at-SECRET-1f2e3d'
const REFRESH = 'rt-SECRET-9a8b7c'
const ID = 'id-SECRET-5d6e7f'

function renderings(value: unknown): string[] {
  return [String(value), JSON.stringify(value), inspect(value), inspect(value, { depth: 10, showHidden: true }), `${value}`]
}

function expectNoSecret(value: unknown): void {
  for (const text of renderings(value)) {
    expect(text).not.toContain(ACCESS)
    expect(text).not.toContain(REFRESH)
    expect(text).not.toContain(ID)
  }
}

const token = new Token({
  accessToken: ACCESS,
  refreshToken: REFRESH,
  idToken: ID,
  tokenType: 'Bearer',
  expiresAt: Date.UTC(2026, 0, 1),
  scope: ['read'],
  issuedAt: Date.UTC(2025, 11, 31),
  source: 'test',
  generation: 3,
})

describe('no secret leaves a token, an error or a manager', () => {
  it('token: String, JSON, inspect and spread', () => {
    expectNoSecret(token)
    expectNoSecret({ ...token })
    expect(JSON.parse(JSON.stringify(token))).toMatchObject({ accessToken: '[redacted]', refreshToken: '[redacted]' })
    expect(token.accessToken).toBe(ACCESS)
    expect(token.authorization).toBe(`Bearer ${ACCESS}`)
  })

  it('manager holding a token', async () => {
    const m = new TokenManager({
      source: countingSource(() => ({ accessToken: ACCESS, refreshToken: REFRESH, idToken: ID, expiresIn: 600 })),
      clock: new ManualClock(),
      prefetch: 'lazy',
    })
    await m.getToken()
    expectNoSecret(m)
    await m.close()
  })

  it('registry', async () => {
    const registry = new CredentialRegistry()
    const m = registry.register('x', { source: countingSource(() => ({ accessToken: ACCESS })), prefetch: 'lazy' })
    await m.getToken()
    expectNoSecret(registry)
    await registry.close()
  })

  it('errors, including the acquisition error wrapping a source error', async () => {
    const m = new TokenManager({
      source: countingSource(() => {
        throw Object.assign(new Error('upstream said no'), { status: 400, error: 'invalid_grant' })
      }),
      clock: new ManualClock(),
      prefetch: 'lazy',
    })
    const error = await m.getToken().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TokenAcquisitionError)
    expect((error as Error).message).toContain('invalid_grant')
    expectNoSecret(error)
    expectNoSecret(new ReauthorizationRequiredError('again', { scopes: ['a'] }))
    await m.close()
  })

  it('a TokenEndpointError built around a raw error keeps no body, Response or secret in its cause', () => {
    const body = { error: 'invalid_client', access_token: ACCESS, refresh_token: REFRESH }
    const response = new Response(JSON.stringify(body), { status: 401 })
    const parse = new SyntaxError(`Unexpected token 'a', "${ID.slice(0, 10)}"... is not valid JSON`)
    const raw = Object.assign(new Error('server responded with an error', { cause: Object.assign(new Error('wrapped', { cause: parse }), { body }) }), {
      code: 'OAUTH_RESPONSE_BODY_ERROR',
      status: 401,
      error: 'invalid_client',
      response,
      body,
    })
    const error = new TokenEndpointError('the token endpoint answered 401', { status: 401, error: 'invalid_client', transient: false, cause: raw })
    expect(error.cause).toMatchObject({ code: 'OAUTH_RESPONSE_BODY_ERROR', status: 401, error: 'invalid_client' })
    const seen = new Set<unknown>()
    const walk = (value: unknown): void => {
      if (typeof value === 'string') for (const secret of [ACCESS, REFRESH, ID.slice(0, 10)]) expect(value).not.toContain(secret)
      if (typeof value !== 'object' || value === null || seen.has(value)) return
      expect(value).not.toBeInstanceOf(Response)
      seen.add(value)
      for (const key of Reflect.ownKeys(value)) walk(Reflect.get(value, key))
    }
    walk(error)
    expect(inspect(error, { depth: Infinity, showHidden: true, customInspect: false })).not.toContain(ACCESS)
    expectNoSecret(error)
  })

  it('TokenError instanceof works across copies through the Symbol.for brand', () => {
    const foreign = Object.defineProperty(new Error('x'), Symbol.for('tokenwarden.error'), { value: true })
    expect(foreign instanceof TokenError).toBe(true)
    expect(new Error('y') instanceof TokenError).toBe(false)
  })
})
