import { describe, expect, it } from 'vitest'
import { defaultRetryDelay, isTransientError, parseRetryAfter, retryAfterMs } from '../../src/retry-policy.ts'

describe('isTransientError', () => {
  it.each([
    [{ status: 503 }, true],
    [{ status: 500 }, true],
    [{ status: 429 }, true],
    [{ status: 408 }, true],
    [{ status: 400 }, false],
    [{ status: 401 }, false],
    [{ status: 404 }, false],
    [{ error: 'invalid_client' }, false],
    [{ error: 'invalid_grant', status: 400 }, false],
    [{ error: 'unauthorized_client' }, false],
    [{ error: 'temporarily_unavailable', status: 400 }, true],
    [{ status: 503, transient: false }, false],
    [{ status: 400, transient: true }, true],
    [new Error('ECONNRESET'), true],
    ['a string', true],
  ])('%o → %s', (error, expected) => {
    expect(isTransientError(error)).toBe(expected)
  })
})

describe('retry delays', () => {
  it('grow exponentially with full jitter under a cap', () => {
    expect(defaultRetryDelay(1, new Error(), 0.5)).toBe(250)
    expect(defaultRetryDelay(2, new Error(), 0.5)).toBe(500)
    expect(defaultRetryDelay(4, new Error(), 0.999)).toBeLessThanOrEqual(4_000)
    expect(defaultRetryDelay(30, new Error(), 0.999)).toBeLessThanOrEqual(30_000)
    expect(defaultRetryDelay(1, new Error(), 0)).toBe(0)
  })

  it('never undercut Retry-After, and cap a hostile one', () => {
    expect(defaultRetryDelay(1, { retryAfter: 12 }, 0.1)).toBe(12_000)
    expect(retryAfterMs({ retryAfter: '3' })).toBe(3_000)
    expect(retryAfterMs({ retryAfter: 86_400 })).toBe(300_000)
    expect(retryAfterMs({ retryAfter: 'soon' })).toBeUndefined()
  })

  it('parse Retry-After seconds and dates', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0)
    expect(parseRetryAfter('120', now)).toBe(120)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30)
    expect(parseRetryAfter('garbage', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })
})
