import { afterEach, describe, expect, it } from 'vitest'
import { CredentialRegistry } from '../../src/credential-registry.ts'
import { ErrorCode } from '../../src/errors.ts'
import { RequestAuth } from '../../src/policy/request-auth.ts'
import { ManualClock } from '../support/manual-clock.ts'
import { countingSource } from '../support/sources.ts'

const registry = new CredentialRegistry()
afterEach(() => registry.close())

function setup(origins: string[] = ['https://api.example.com']) {
  const source = countingSource((call, ctx) => ({ accessToken: `token-${call}`, expiresIn: 600, scope: ctx.scopes ?? ['read'] }))
  const manager = registry.register('api', { source, origins, prefetch: 'lazy', clock: new ManualClock() })
  return { source, manager, auth: new RequestAuth('api', { registry }) }
}

const replay = { replayable: true, retried: false }

describe('RequestAuth.plan', () => {
  it('attaches on an allowed origin, skips elsewhere without fetching a token', async () => {
    const { auth, source } = setup()
    expect(auth.plan('https://api.example.com/v1/me?x=1', undefined)).toBe('attach')
    expect(auth.plan(new URL('https://api.example.com/v1'), undefined)).toBe('attach')
    expect(auth.plan('https://other.example.com/v1', undefined)).toBe('skip')
    expect(auth.plan('https://api.example.com.evil.test/', undefined)).toBe('skip')
    expect(auth.plan('https://api.example.com?x=1', undefined)).toBe('attach')
    expect(auth.plan('https://api.example.com#top', undefined)).toBe('attach')
    expect(auth.plan('https://api.example.com', undefined)).toBe('attach')
    expect(auth.plan('https://api.example.com@evil.test/steal', undefined)).toBe('skip')
    expect(auth.plan('https://evil.test/https://api.example.com/', undefined)).toBe('skip')
    expect(source.calls).toBe(0)
  })

  it('tells subscribers once per origin that a request went without the token, never with user or password', () => {
    const { auth, manager } = setup()
    const events: unknown[] = []
    manager.subscribe((e) => events.push(e))
    for (let i = 0; i < 3; i++) {
      auth.plan('https://other.example.com/v1/me?x=1', undefined)
      auth.plan(new URL('https://third.example.com:8443/'), undefined)
      auth.plan('https://user:secret@fourth.example.com/', undefined)
    }
    auth.plan('https://api.example.com/', undefined)
    auth.plan('https://other.example.com/', 'Basic dXNlcjpwYXNz')
    expect(events).toEqual([
      { type: 'skipped', credential: 'api', origin: 'https://other.example.com' },
      { type: 'skipped', credential: 'api', origin: 'https://third.example.com:8443' },
      { type: 'skipped', credential: 'api', origin: 'https://fourth.example.com' },
    ])
  })

  it("leaves a caller's own Authorization alone, everywhere", () => {
    const { auth } = setup()
    expect(auth.plan('https://api.example.com/', 'Basic dXNlcjpwYXNz')).toBe('skip')
    expect(auth.plan('https://other.example.com/', 'Bearer caller-token')).toBe('skip')
  })

  it('treats a header carrying one of our tokens as ours: replaced where allowed, stripped elsewhere', async () => {
    const { auth, manager } = setup()
    const token = await manager.getToken()
    expect(auth.plan('https://api.example.com/', token.authorization)).toBe('attach')
    expect(auth.plan('https://elsewhere.example.com/', token.authorization)).toBe('strip')
    const newer = await manager.refresh()
    expect(auth.plan('https://elsewhere.example.com/', token.authorization)).toBe('strip')
    expect(auth.plan('https://elsewhere.example.com/', newer.authorization)).toBe('strip')
  })

  it('uses the adapter origins in place of the credential ones', () => {
    setup(['https://api.example.com'])
    const auth = new RequestAuth('api', { registry, origins: ['https://*.other.example'] })
    expect(auth.plan('https://x.other.example/', undefined)).toBe('attach')
    expect(auth.plan('https://api.example.com/', undefined)).toBe('skip')
  })

  it('refuses a credential without origins at creation, or at the first request when registered later', () => {
    registry.register('bare', { source: countingSource(), prefetch: 'lazy' })
    expect(() => new RequestAuth('bare', { registry })).toThrow(expect.objectContaining({ code: ErrorCode.NO_ORIGINS }))
    const late = new RequestAuth('later', { registry })
    expect(() => late.plan('https://x.example/', undefined)).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_CREDENTIAL }))
    registry.register('later', { source: countingSource(), prefetch: 'lazy' })
    expect(() => late.plan('https://x.example/', undefined)).toThrow(expect.objectContaining({ code: ErrorCode.NO_ORIGINS }))
  })

  it('validates its options with coded TypeErrors', () => {
    expect(() => new RequestAuth('', { registry })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION }))
    expect(() => new RequestAuth('x', { registry, maxReplayBytes: -1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'maxReplayBytes' }),
    )
  })
})

describe('RequestAuth.token', () => {
  it('is synchronous once the token is cached', async () => {
    const { auth } = setup()
    const first = auth.token()
    expect(first).toBeInstanceOf(Promise)
    const token = await first
    expect(auth.token()).toBe(token)
  })

  it('follows a credential deleted and registered anew, and fails while it is gone', async () => {
    const { auth, manager } = setup()
    expect(auth.manager()).toBe(manager)
    await registry.delete('api')
    expect(() => auth.token()).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_CREDENTIAL }))
    const source = countingSource(() => ({ accessToken: 'anew', expiresIn: 600 }))
    const again = registry.register('api', { source, origins: ['https://api.example.com'], prefetch: 'lazy', clock: new ManualClock() })
    expect(auth.manager()).toBe(again)
    expect((await auth.token()).accessToken).toBe('anew')
  })
})

describe('RequestAuth.mayRetry', () => {
  it('admits only 401 and 403', () => {
    const { auth } = setup()
    expect([200, 204, 301, 400, 401, 403, 404, 500].filter((status) => auth.mayRetry(status))).toEqual([401, 403])
  })
})

describe('RequestAuth.retryToken', () => {
  it('answers a 401 with one reacquire', async () => {
    const { auth, manager, source } = setup()
    const used = await manager.getToken()
    const next = await auth.retryToken({ status: 401 }, used, replay)
    expect(next?.accessToken).toBe('token-2')
    expect(source.contexts[1]?.reason).toBe('rejected')
  })

  it('never retries a retry, a non-401, or a challenge for another scheme', async () => {
    const { auth, manager, source } = setup()
    const used = await manager.getToken()
    expect(auth.retryToken({ status: 401 }, used, { replayable: true, retried: true })).toBeUndefined()
    expect(auth.retryToken({ status: 200 }, used, replay)).toBeUndefined()
    expect(auth.retryToken({ status: 500 }, used, replay)).toBeUndefined()
    expect(auth.retryToken({ status: 401, wwwAuthenticate: 'Basic realm="x"' }, used, replay)).toBeUndefined()
    expect(source.calls).toBe(1)
    expect(auth.retryToken({ status: 401, wwwAuthenticate: 'Basic realm="x", Bearer error="invalid_token"' }, used, replay)).toBeInstanceOf(Promise)
  })

  it('does not retry an unreplayable body, but still replaces the rejected token for the next request', async () => {
    const { auth, manager, source } = setup()
    const used = await manager.getToken()
    expect(auth.retryToken({ status: 401 }, used, { replayable: false, retried: false })).toBeUndefined()
    expect((await manager.getToken()).accessToken).toBe('token-2')
    expect(source.calls).toBe(2)
  })

  it('passes insufficient_claims claims to the source', async () => {
    const { auth, manager, source } = setup()
    const used = await manager.getToken()
    await auth.retryToken(
      { status: 401, wwwAuthenticate: 'Bearer error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="' },
      used,
      replay,
    )
    expect(source.contexts[1]).toMatchObject({ reason: 'claims', claims: 'eyJhY2Nlc3NfdG9rZW4iOnt9fQ==' })
  })

  it('upgrades scopes on a 403 insufficient_scope only when allowed', async () => {
    const { manager, source } = setup()
    const used = await manager.getToken()
    const challenge = { status: 403, wwwAuthenticate: 'Bearer error="insufficient_scope", scope="read write"' }
    expect(new RequestAuth('api', { registry }).retryToken(challenge, used, replay)).toBeUndefined()
    const upgraded = await new RequestAuth('api', { registry, upgradeScopes: true }).retryToken(challenge, used, replay)
    expect(upgraded?.scope).toEqual(['read', 'write'])
    expect(source.contexts[1]?.reason).toBe('scope-upgrade')
  })

  it('honours retryOnUnauthorized: false', async () => {
    const { manager } = setup()
    const used = await manager.getToken()
    expect(new RequestAuth('api', { registry, retryOnUnauthorized: false }).retryToken({ status: 401 }, used, replay)).toBeUndefined()
  })
})
