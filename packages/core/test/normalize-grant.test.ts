import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../src/errors.ts'
import { normalizeGrant } from '../src/normalize-grant.ts'
import type { TokenGrant } from '../src/source.ts'

const issuedAt = Date.UTC(2026, 0, 1)
const base = { issuedAt, generation: 1, source: 'test', random: 0 }

describe('normalizeGrant', () => {
  it.each([
    ['bearer', 'Bearer'],
    ['BEARER', 'Bearer'],
    ['dpop', 'DPoP'],
    [undefined, 'Bearer'],
    ['N_A', 'N_A'],
  ])('normalises token type %s to %s', (tokenType, expected) => {
    expect(normalizeGrant({ accessToken: 'a', tokenType }, base).token.tokenType).toBe(expected)
  })

  it('counts expiry from the time the request was sent', () => {
    const { token, expiringAt } = normalizeGrant({ accessToken: 'a', expiresIn: 3600 }, base)
    expect(token.expiresAt).toBe(issuedAt + 3_600_000)
    expect(expiringAt).toBe(issuedAt + 3_600_000 - 30_000)
    expect(token.refreshAt).toBe(issuedAt + 3_600_000 - 300_000)
  })

  it('uses defaultExpiresIn for a grant without a lifetime, and no expiry without one', () => {
    expect(normalizeGrant({ accessToken: 'a' }, { ...base, defaultExpiresIn: 60 }).token.expiresAt).toBe(issuedAt + 60_000)
    const forever = normalizeGrant({ accessToken: 'a' }, base)
    expect(forever.token.expiresAt).toBeUndefined()
    expect(forever.token.refreshAt).toBeUndefined()
    expect(forever.expiringAt).toBe(Number.POSITIVE_INFINITY)
  })

  it('never places the advisory window past half the lifetime, even when configured larger', () => {
    const { token } = normalizeGrant({ accessToken: 'a', expiresIn: 60 }, { ...base, refreshBeforeMs: 300_000, random: 0.99 })
    expect(token.refreshAt).toBe(issuedAt + 30_000)
  })

  it('scales the default windows with a short lifetime', () => {
    const { token, expiringAt } = normalizeGrant({ accessToken: 'a', expiresIn: 5 }, base)
    expect(expiringAt).toBe(issuedAt + 4_500)
    expect(token.refreshAt).toBe(issuedAt + 4_000)
  })

  it('jitters the advisory window by up to a tenth', () => {
    const early = normalizeGrant({ accessToken: 'a', expiresIn: 3600 }, { ...base, random: 0.999 }).token.refreshAt!
    const late = normalizeGrant({ accessToken: 'a', expiresIn: 3600 }, { ...base, random: 0 }).token.refreshAt!
    expect(late - early).toBeGreaterThan(29_000)
    expect(late - early).toBeLessThanOrEqual(30_000)
  })

  it('honours refresh_in but never before 1 s nor past the mandatory window', () => {
    expect(normalizeGrant({ accessToken: 'a', expiresIn: 3600, refreshIn: 60 }, base).token.refreshAt).toBe(issuedAt + 60_000)
    expect(normalizeGrant({ accessToken: 'a', expiresIn: 3600, refreshIn: 0 }, base).token.refreshAt).toBe(issuedAt + 1_000)
    expect(normalizeGrant({ accessToken: 'a', expiresIn: 100, refreshIn: 500 }, base).token.refreshAt).toBe(issuedAt + 90_000)
  })

  it('splits scope strings and keeps the requested scopes when the grant lists none', () => {
    expect(normalizeGrant({ accessToken: 'a', scope: 'read  write read' }, base).token.scope).toEqual(['read', 'write'])
    expect(normalizeGrant({ accessToken: 'a' }, { ...base, requestedScopes: ['x'] }).token.scope).toEqual(['x'])
  })

  it.each([
    ['no access token', { expiresIn: 60 }],
    ['an empty access token', { accessToken: '' }],
    ['a token with a newline', { accessToken: 'abc\r\nX-Injected: 1' }],
    ['a token with a space', { accessToken: 'abc def' }],
    ['a string lifetime', { accessToken: 'a', expiresIn: '3600' }],
    ['a negative lifetime', { accessToken: 'a', expiresIn: -5 }],
    ['a zero lifetime', { accessToken: 'a', expiresIn: 0 }],
    ['a NaN lifetime', { accessToken: 'a', expiresIn: Number.NaN }],
    ['a bad expiresAt', { accessToken: 'a', expiresAt: 'soon' }],
    ['a bad refreshIn', { accessToken: 'a', refreshIn: -1 }],
    ['a bad token type', { accessToken: 'a', tokenType: 'Bear er' }],
    ['a bad scope', { accessToken: 'a', scope: 42 }],
    ['a bad refresh token', { accessToken: 'a', refreshToken: 7 }],
  ])('rejects %s as malformed and terminal', (_name, grant) => {
    const run = (): unknown => normalizeGrant(grant as unknown as TokenGrant, base)
    expect(run).toThrow(expect.objectContaining({ code: ErrorCode.MALFORMED, transient: false }))
  })

  it('rejects a token that already counts as expired', () => {
    expect(() => normalizeGrant({ accessToken: 'a', expiresAt: issuedAt - 1 }, base)).toThrow(
      expect.objectContaining({ code: ErrorCode.EXPIRES_TOO_SOON }),
    )
    expect(() => normalizeGrant({ accessToken: 'a', expiresAt: issuedAt }, base)).toThrow(
      expect.objectContaining({ code: ErrorCode.EXPIRES_TOO_SOON }),
    )
  })

  it('caps a configured expirySkew at a quarter of the lifetime, so a 60 s skew still lets 60 s and 30 s tokens be used', () => {
    for (const expiresIn of [60, 30, 10]) {
      const { expiringAt } = normalizeGrant({ accessToken: 'a', expiresIn }, { ...base, expirySkewMs: 60_000 })
      expect(expiringAt).toBe(issuedAt + expiresIn * 750)
    }
    const small = normalizeGrant({ accessToken: 'a', expiresIn: 3600 }, { ...base, expirySkewMs: 60_000 })
    expect(small.expiringAt).toBe(issuedAt + 3_540_000)
  })
})
