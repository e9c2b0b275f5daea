import { ManualClock, countingSource } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { CredentialRegistry } from '../../src/credential-registry.ts'
import { ErrorCode } from '../../src/errors.ts'
import { AuthRequest } from '../../src/policy/auth-request.ts'
import { RequestAuth } from '../../src/policy/request-auth.ts'

const registry = new CredentialRegistry()
afterEach(() => registry.close())

function setup(origins: string[] = ['https://api.example.com']) {
  const source = countingSource((call, ctx) => ({ accessToken: `token-${call}`, expiresIn: 600, scope: ctx.scopes ?? ['read'] }))
  const manager = registry.register('api', { source, origins, prefetch: 'lazy', clock: new ManualClock() })
  return { source, manager, auth: new RequestAuth('api', { registry }) }
}

/** What `begin` answers for a request to `url` carrying `authorization`: the plan, or `attach` for an AuthRequest. */
function planOf(auth: RequestAuth, url: string | URL, authorization?: string): string {
  const plan = auth.begin({ url, method: 'GET', authorization })
  return plan instanceof AuthRequest ? 'attach' : plan
}

/** A request that carries the token, ready to send. */
async function sent(auth: RequestAuth, body?: unknown): Promise<AuthRequest> {
  const request = auth.begin({ url: 'https://api.example.com/v1', method: 'POST', body })
  if (!(request instanceof AuthRequest)) throw new Error(`expected an AuthRequest, got ${request}`)
  await request.ready()
  return request
}

/** A header lookup over one `WWW-Authenticate` value. */
const challenge = (value?: string) => (name: string) => (name === 'www-authenticate' ? value : undefined)

describe('RequestAuth.begin', () => {
  it('attaches on an allowed origin, skips elsewhere without fetching a token', async () => {
    const { auth, source } = setup()
    expect(planOf(auth, 'https://api.example.com/v1/me?x=1')).toBe('attach')
    expect(planOf(auth, new URL('https://api.example.com/v1'))).toBe('attach')
    expect(planOf(auth, 'https://other.example.com/v1')).toBe('untouched')
    expect(planOf(auth, 'https://api.example.com.evil.test/')).toBe('untouched')
    expect(planOf(auth, 'https://api.example.com?x=1')).toBe('attach')
    expect(planOf(auth, 'https://api.example.com#top')).toBe('attach')
    expect(planOf(auth, 'https://api.example.com')).toBe('attach')
    expect(planOf(auth, 'https://api.example.com@evil.test/steal')).toBe('untouched')
    expect(planOf(auth, 'https://evil.test/https://api.example.com/')).toBe('untouched')
    expect(source.calls).toBe(0)
  })

  it('tells subscribers once per origin that a request went without the token, never with user or password', () => {
    const { auth, manager } = setup()
    const events: unknown[] = []
    manager.subscribe((e) => events.push(e))
    for (let i = 0; i < 3; i++) {
      planOf(auth, 'https://other.example.com/v1/me?x=1')
      planOf(auth, new URL('https://third.example.com:8443/'))
      planOf(auth, 'https://user:secret@fourth.example.com/')
    }
    planOf(auth, 'https://api.example.com/')
    planOf(auth, 'https://other.example.com/', 'Basic dXNlcjpwYXNz')
    expect(events).toEqual([
      { type: 'skipped', credential: 'api', origin: 'https://other.example.com' },
      { type: 'skipped', credential: 'api', origin: 'https://third.example.com:8443' },
      { type: 'skipped', credential: 'api', origin: 'https://fourth.example.com' },
    ])
  })

  it("leaves a caller's own Authorization alone, everywhere", () => {
    const { auth } = setup()
    expect(planOf(auth, 'https://api.example.com/', 'Basic dXNlcjpwYXNz')).toBe('untouched')
    expect(planOf(auth, 'https://other.example.com/', 'Bearer caller-token')).toBe('untouched')
  })

  it('treats a header carrying one of our tokens as ours: replaced where allowed, stripped elsewhere', async () => {
    const { auth, manager } = setup()
    const token = await manager.getToken()
    expect(planOf(auth, 'https://api.example.com/', token.authorization)).toBe('attach')
    expect(planOf(auth, 'https://elsewhere.example.com/', token.authorization)).toBe('strip')
    const newer = await manager.refresh()
    expect(planOf(auth, 'https://elsewhere.example.com/', token.authorization)).toBe('strip')
    expect(planOf(auth, 'https://elsewhere.example.com/', newer.authorization)).toBe('strip')
  })

  it('uses the adapter origins in place of the credential ones', () => {
    setup(['https://api.example.com'])
    const auth = new RequestAuth('api', { registry, origins: ['https://*.other.example'] })
    expect(planOf(auth, 'https://x.other.example/')).toBe('attach')
    expect(planOf(auth, 'https://api.example.com/')).toBe('untouched')
  })

  it('refuses a credential without origins at creation, or at the first request when registered later', () => {
    registry.register('bare', { source: countingSource(), prefetch: 'lazy' })
    expect(() => new RequestAuth('bare', { registry })).toThrow(expect.objectContaining({ code: ErrorCode.NO_ORIGINS }))
    const late = new RequestAuth('later', { registry })
    expect(() => planOf(late, 'https://x.example/')).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_CREDENTIAL }))
    registry.register('later', { source: countingSource(), prefetch: 'lazy' })
    expect(() => planOf(late, 'https://x.example/')).toThrow(expect.objectContaining({ code: ErrorCode.NO_ORIGINS }))
  })

  it('validates its options with coded TypeErrors', () => {
    expect(() => new RequestAuth('', { registry })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION }))
    expect(() => new RequestAuth('x', { registry, maxReplayBytes: -1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'maxReplayBytes' }),
    )
  })
})

describe('AuthRequest.ready', () => {
  it('is synchronous once the token is cached, and sets the header to send', async () => {
    const { auth } = setup()
    const first = auth.begin({ url: 'https://api.example.com/', method: 'GET' }) as AuthRequest
    const waiting = first.ready()
    expect(waiting).toBeInstanceOf(Promise)
    await waiting
    expect(first.authorization).toBe('Bearer token-1')
    const second = auth.begin({ url: 'https://api.example.com/', method: 'GET' }) as AuthRequest
    expect(second.ready()).toBeUndefined()
    expect(second.authorization).toBe('Bearer token-1')
  })

  it('follows a credential deleted and registered anew, and fails while it is gone', async () => {
    const { auth, manager } = setup()
    expect(auth.manager()).toBe(manager)
    await registry.delete('api')
    expect(() => planOf(auth, 'https://api.example.com/')).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_CREDENTIAL }))
    const source = countingSource(() => ({ accessToken: 'anew', expiresIn: 600 }))
    const again = registry.register('api', { source, origins: ['https://api.example.com'], prefetch: 'lazy', clock: new ManualClock() })
    expect(auth.manager()).toBe(again)
    expect((await sent(auth)).authorization).toBe('Bearer anew')
  })

  it('treats a header an adapter redacted (a request sent again from an error) as ours', () => {
    const { auth } = setup()
    expect(planOf(auth, 'https://api.example.com/', 'Bearer [redacted by tokenwarden]')).toBe('attach')
    expect(planOf(auth, 'https://elsewhere.example.com/', 'Bearer [redacted by tokenwarden]')).toBe('strip')
  })

  it("leaves a request the caller authenticates by other means untouched, on every origin", () => {
    const { auth } = setup()
    expect(auth.begin({ url: 'https://api.example.com/', method: 'GET', callerAuthenticates: true })).toBe('untouched')
  })
})

describe('AuthRequest.redirected', () => {
  it('keeps the token on hops to allowed origins, and strips it elsewhere', async () => {
    const { auth } = setup(['https://api.example.com', 'https://cdn.example.com'])
    const request = await sent(auth)
    expect(request.redirected('https://cdn.example.com/x')).toBe('attach')
    expect(request.redirected(new URL('https://api.example.com/y'))).toBe('attach')
    expect(request.redirected('https://evil.example.net/')).toBe('strip')
    expect(request.redirected('http://api.example.com/')).toBe('strip')
  })
})

describe('AuthRequest.respond', () => {
  it('answers a 401 with one reacquire, and a second 401 is returned', async () => {
    const { auth, source } = setup()
    const request = await sent(auth, 'a body')
    await expect(request.respond(401, challenge())).resolves.toBe('token')
    expect(request.authorization).toBe('Bearer token-2')
    expect(source.contexts[1]?.reason).toBe('rejected')
    expect(request.respond(401, challenge())).toBeUndefined()
    expect(source.calls).toBe(2)
  })

  it('returns non-401/403 responses, and 401s that challenge another scheme only', async () => {
    const { auth, source } = setup()
    const request = await sent(auth)
    for (const status of [200, 204, 301, 400, 404, 500]) expect(request.respond(status, challenge())).toBeUndefined()
    expect(request.respond(401, challenge('Basic realm="x"'))).toBeUndefined()
    expect(request.respond(403, challenge())).toBeUndefined()
    expect(source.calls).toBe(1)
    await expect(request.respond(401, challenge('Basic realm="x", Bearer error="invalid_token"'))).resolves.toBe('token')
  })

  it('does not resend an unreplayable body, but still replaces the rejected token for the next request', async () => {
    const { auth, manager, source } = setup()
    const stream = (async function* () {
      yield new Uint8Array([1])
    })()
    const request = await sent(auth, stream)
    expect(request.respond(401, challenge())).toBeUndefined()
    expect((await manager.getToken()).accessToken).toBe('token-2')
    expect(source.calls).toBe(2)
  })

  it('passes decoded insufficient_claims claims to the source as JSON text', async () => {
    const { auth, source } = setup()
    const request = await sent(auth)
    const header = 'Bearer error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnt9fQ=="'
    await expect(request.respond(401, challenge(header))).resolves.toBe('token')
    expect(source.contexts[1]).toMatchObject({ reason: 'claims', claims: '{"access_token":{}}' })
  })

  it('upgrades scopes on a 403 insufficient_scope only when the credential allows it', async () => {
    const { manager, source } = setup()
    const header = challenge('Bearer error="insufficient_scope", scope="read write"')
    expect((await sent(new RequestAuth('api', { registry }))).respond(403, header)).toBeUndefined()
    const allowed = await sent(new RequestAuth('api', { registry, challenges: { upgradeScopes: true } }))
    await expect(allowed.respond(403, header)).resolves.toBe('scope')
    expect(manager.peek()?.scope).toEqual(['read', 'write'])
    expect(source.contexts[1]?.reason).toBe('scope-upgrade')
  })

  it("takes the credential's challenges option; an adapter's own replaces it member by member", async () => {
    const source = countingSource((call, ctx) => ({ accessToken: `token-${call}`, expiresIn: 600, scope: ctx.scopes ?? ['read'] }))
    const clock = new ManualClock()
    registry.register('scoped', { source, origins: ['https://api.example.com'], prefetch: 'lazy', clock, challenges: { upgradeScopes: true } })
    const header = challenge('Bearer error="insufficient_scope", scope="write"')
    const byCredential = new RequestAuth('scoped', { registry })
    await expect((await sent(byCredential)).respond(403, header)).resolves.toBe('scope')
    const overridden = new RequestAuth('scoped', { registry, challenges: { upgradeScopes: false } })
    expect((await sent(overridden)).respond(403, header)).toBeUndefined()
    const hookOnly = new RequestAuth('scoped', { registry, challenges: { onChallenge: () => undefined } })
    await expect((await sent(hookOnly)).respond(403, challenge('Bearer error="insufficient_scope", scope="admin"'))).resolves.toBe('scope')
    expect(() => registry.register('bad', { source, challenges: { upgradeScopes: 1 as never } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'challenges.upgradeScopes' }),
    )
  })

  it('returns a step-up challenge (RFC 9470) without a token request, and tells subscribers', async () => {
    const { auth, manager, source } = setup()
    const events: unknown[] = []
    manager.subscribe((event) => events.push(event))
    const request = await sent(auth)
    const header = 'Bearer error="insufficient_user_authentication", acr_values="phr", max_age="5"'
    expect(request.respond(401, challenge(header))).toBeUndefined()
    expect(request.respond(403, challenge(header))).toBeUndefined()
    expect(source.calls).toBe(1)
    expect(events.filter((event) => (event as { type: string }).type === 'challenge')).toEqual([
      { type: 'challenge', credential: 'api', status: 401, scheme: 'Bearer', error: 'insufficient_user_authentication', action: 'returned' },
      { type: 'challenge', credential: 'api', status: 403, scheme: 'Bearer', error: 'insufficient_user_authentication', action: 'returned' },
    ])
  })

  it('returns a 401 to the caller when its manager was closed meanwhile (a pool dropped it), without failing', async () => {
    const { auth, manager, source } = setup()
    const request = await sent(auth)
    await manager.close()
    expect(request.respond(401, challenge())).toBeUndefined()
    expect(source.calls).toBe(1)
  })

  it('honours retryOnUnauthorized: false', async () => {
    setup()
    const request = await sent(new RequestAuth('api', { registry, retryOnUnauthorized: false }))
    expect(request.respond(401, challenge())).toBeUndefined()
  })

  it('lets onChallenge decide a challenge core does not handle; what it throws counts as return', async () => {
    setup()
    const seen: unknown[] = []
    const onChallenge = (info: { scheme: string; error: string | undefined }) => {
      seen.push(info)
      if (info.error === 'boom') throw new Error('hook failed')
      return info.scheme === 'Custom' ? ('reacquire' as const) : undefined
    }
    const auth = new RequestAuth('api', { registry, challenges: { onChallenge } })
    expect((await sent(auth)).respond(401, challenge('Bearer error="boom"'))).toBeUndefined()
    await expect((await sent(auth)).respond(401, challenge('Custom realm="x"'))).resolves.toBe('token')
    expect(seen).toEqual([
      expect.objectContaining({ credential: 'api', status: 401, scheme: 'Bearer', error: 'boom' }),
      expect.objectContaining({ credential: 'api', status: 401, scheme: 'Custom', error: undefined }),
    ])
  })

  it('spends each retry kind once and sends a request at most three times: a server that challenges forever', async () => {
    setup()
    const auth = new RequestAuth('api', { registry, challenges: { upgradeScopes: true } })
    const request = await sent(auth)
    await expect(request.respond(401, challenge())).resolves.toBe('token')
    await expect(request.respond(403, challenge('Bearer error="insufficient_scope", scope="more"'))).resolves.toBe('scope')
    expect(request.respond(401, challenge())).toBeUndefined()
    expect(request.respond(403, challenge('Bearer error="insufficient_scope", scope="even-more"'))).toBeUndefined()
  })

  it('validates the challenges option with coded errors', () => {
    expect(() => new RequestAuth('x', { registry, challenges: { upgradeScopes: 'yes' as never } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'challenges.upgradeScopes' }),
    )
    expect(() => new RequestAuth('x', { registry, challenges: { onChallenge: 1 as never } })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'challenges.onChallenge' }),
    )
  })
})

describe('RequestAuth with a resolver', () => {
  it("chooses each request's manager; redirect hops follow that manager's origins", async () => {
    const a = registry.register('a', { source: countingSource(), origins: ['https://a.example.com'], prefetch: 'lazy', clock: new ManualClock() })
    const b = registry.register('b', { source: countingSource(), origins: ['https://b.example.com'], prefetch: 'lazy', clock: new ManualClock() })
    const auth = new RequestAuth((request) => (new URL(String(request.url)).hostname.startsWith('a.') ? a : 'b'), { registry })
    const toA = auth.begin({ url: 'https://a.example.com/x', method: 'GET' }) as AuthRequest
    const toB = auth.begin({ url: 'https://b.example.com/x', method: 'GET' }) as AuthRequest
    expect([toA.manager, toB.manager]).toEqual([a, b])
    expect(toA.redirected('https://b.example.com/y')).toBe('strip')
    expect(toB.redirected('https://b.example.com/y')).toBe('attach')
    expect(() => auth.manager()).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_CREDENTIAL }))
  })

  it('reads headers only when the resolver asks, and fails a request with a coded error on a bad answer', () => {
    let reads = 0
    const headers = () => {
      reads++
      return { 'x-tenant': 'a' }
    }
    const seen: string[] = []
    new RequestAuth((request) => void seen.push(request.method), { registry }).begin({ url: 'https://a.example.com/', method: 'GET', headers })
    expect(reads).toBe(0)
    new RequestAuth((request) => void seen.push(request.headers['x-tenant'] ?? ''), { registry }).begin({ url: 'https://a.example.com/', method: 'GET', headers })
    expect([reads, seen]).toEqual([1, ['GET', 'a']])
    const throwing = new RequestAuth(() => {
      throw new Error('boom')
    })
    expect(() => throwing.begin({ url: 'https://a.example.com/', method: 'GET' })).toThrow(
      expect.objectContaining({ code: ErrorCode.RESOLVER_FAILED, cause: expect.objectContaining({ message: 'boom' }) }),
    )
    const odd = new RequestAuth(() => 42 as never)
    expect(() => odd.begin({ url: 'https://a.example.com/', method: 'GET' })).toThrow(expect.objectContaining({ code: ErrorCode.RESOLVER_FAILED }))
  })
})
