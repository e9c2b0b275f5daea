import { ManualClock, countingSource, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode } from '../src/errors.ts'
import type { TokenEvent } from '../src/token-events.ts'
import { endpointError } from './support/endpoint-error.ts'

const manager = useManagers()

describe('a fresh token', () => {
  it('is served from memory without calling the source again', async () => {
    const source = countingSource()
    const m = manager({ source, clock: new ManualClock() })
    const first = await m.getToken()
    for (let i = 0; i < 100; i++) expect(await m.getToken()).toBe(first)
    expect(source.calls).toBe(1)
    expect(m.stats().hits).toBe(100)
  })

  it('counts its expiry from when the request was sent, not when the answer came', async () => {
    const clock = new ManualClock()
    const sentAt = clock.now()
    const source = countingSource(async () => {
      await clock.advance(5_000)
      return { accessToken: 'slow', expiresIn: 60 }
    })
    const m = manager({ source, clock })
    const token = await m.getToken()
    expect(token.issuedAt).toBe(sentAt)
    expect(token.expiresAt).toBe(sentAt + 60_000)
  })
})

describe('inside the advisory window', () => {
  it('serves the token at once and runs exactly one background refresh', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => ({ accessToken: `token-${call}`, expiresIn: 100 }))
    const m = manager({ source, clock, refreshBefore: 30, expirySkew: 5 })
    const t1 = await m.getToken()
    expect(t1.refreshAt).toBeLessThanOrEqual(t1.issuedAt + 70_000)
    await clock.advance(75_000)
    const served = await Promise.all(Array.from({ length: 100 }, () => m.getToken()))
    expect(served.every((t) => t === t1)).toBe(true)
    expect(m.stats().proactiveRefreshes).toBe(1)
    await clock.advance(0)
    expect(source.calls).toBe(2)
    expect((await m.getToken()).accessToken).toBe('token-2')
  })

  it('refreshes on its own timer with the default prefetch, and the timer never holds the process', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => ({ accessToken: `token-${call}`, expiresIn: 100 }))
    const m = manager({ source, clock, prefetch: 'async' })
    await clock.advance(0)
    expect(source.calls).toBe(1)
    expect(clock.pending).toBe(1)
    await clock.advance(100_000)
    expect(source.calls).toBeGreaterThanOrEqual(2)
    expect(m.peek()?.accessToken).not.toBe('token-1')
  })

  it('keeps serving the still-valid token while the refresh fails with 503, backing off with growing jittered delays', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => {
      if (call === 1) return { accessToken: 'token-1', expiresIn: 600 }
      throw endpointError(503, 'temporarily_unavailable')
    })
    const randoms = [0.9, 0.1, 0.7, 0.3, 0.8, 0.5]
    let r = 0
    vi.spyOn(Math, 'random').mockImplementation(() => randoms[r++ % randoms.length] as number)
    const events: TokenEvent[] = []
    const m = manager({ source, clock, refreshBefore: 300, expirySkew: 10, maxRetries: 4 })
    m.subscribe((event) => events.push(event))
    const t1 = await m.getToken()
    await clock.advance(t1.refreshAt! - clock.now())
    for (let i = 0; i < 10; i++) {
      expect(await m.getToken()).toBe(t1)
      await clock.advance(5_000)
    }
    const retries = events.filter((e) => e.type === 'refresh-failed').map((e) => (e as { retryInMs?: number }).retryInMs)
    expect(retries.length).toBeGreaterThanOrEqual(4)
    const planned = retries.slice(0, 4) as number[]
    planned.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(0)
      expect(delay).toBeLessThanOrEqual(500 * 2 ** i)
    })
    expect(new Set(planned.map((d, i) => d / (500 * 2 ** i))).size).toBeGreaterThan(1)
    expect(m.peek()).toBe(t1)
  })

  it('fails waiting callers with a coded error once maxRetries is spent after expiry', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => {
      if (call === 1) return { accessToken: 'token-1', expiresIn: 60 }
      throw endpointError(503)
    })
    const m = manager({ source, clock, maxRetries: 3, retryDelay: () => 1_000 })
    await m.getToken()
    await clock.advance(61_000)
    const waiting = m.getToken()
    const outcome = waiting.then(
      () => undefined,
      (error: unknown) => error,
    )
    await clock.advance(10_000)
    const error = (await outcome) as { code: string; attempts: number; cause: unknown }
    expect(error.code).toBe(ErrorCode.ACQUISITION_FAILED)
    expect(error.attempts).toBe(4)
    expect(error.cause).toMatchObject({ status: 503 })
    expect(source.calls).toBe(1 + 4)
  })

  it('backs off before the next background refresh once one has failed for good', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => {
      if (call === 1) return { accessToken: 'token-1', expiresIn: 3600 }
      throw endpointError(503)
    })
    const m = manager({ source, clock, refreshBefore: 600, maxRetries: 0, retryDelay: () => 60_000 })
    const t1 = await m.getToken()
    await clock.advance(t1.refreshAt! - clock.now())
    await m.getToken()
    await clock.advance(0)
    expect(source.calls).toBe(2)
    for (let i = 0; i < 50; i++) await m.getToken()
    await clock.advance(30_000)
    await m.getToken()
    expect(source.calls).toBe(2)
    await clock.advance(31_000)
    await m.getToken()
    await clock.advance(0)
    expect(source.calls).toBe(3)
  })
})

describe('expiring and expired tokens', () => {
  it('makes callers wait inside the mandatory window', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => ({ accessToken: `token-${call}`, expiresIn: 100 }))
    const m = manager({ source, clock, refreshBefore: 0, expirySkew: 10 })
    await m.getToken()
    await clock.advance(91_000)
    expect(m.current()).toBeUndefined()
    expect((await m.getToken()).accessToken).toBe('token-2')
  })

  it('treats a refresh that returns an already-expired token as a failure, not a loop', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => ({ accessToken: `token-${call}`, expiresAt: call === 1 ? undefined : clock.now() - 1 }))
    const m = manager({ source, clock, defaultExpiresIn: 3600 })
    const t1 = await m.getToken()
    await expect(m.refresh()).rejects.toMatchObject({ code: ErrorCode.EXPIRES_TOO_SOON })
    expect(source.calls).toBe(2)
    expect(m.peek()).toBe(t1)
  })

  it('uses 60 s tokens with expirySkew: 60, cutting the skew to 15 s and saying so once in an event', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => ({ accessToken: `token-${call}`, expiresIn: 60 }))
    const m = manager({ source, clock, expirySkew: 60, prefetch: 'lazy' })
    const events: unknown[] = []
    m.subscribe((e) => e.type === 'option-capped' && events.push(e))
    const t1 = await m.getToken()
    expect(m.current()).toBe(t1)
    await clock.advance(44_000)
    expect(m.current()).toBe(t1)
    await clock.advance(1_000)
    expect(m.current()).toBeUndefined()
    expect((await m.getToken()).accessToken).toBe('token-2')
    expect(source.calls).toBe(2)
    expect(events).toEqual([
      { type: 'option-capped', credential: m.name, option: 'expirySkew', configured: 60, applied: 15, lifetime: 60 },
    ])
  })

  it('honours the server refresh_in', async () => {
    const clock = new ManualClock()
    const m = manager({ source: countingSource(() => ({ accessToken: 'a', expiresIn: 3600, refreshIn: 600 })), clock })
    const token = await m.getToken()
    expect(token.refreshAt).toBe(token.issuedAt + 600_000)
  })

  it('honours Retry-After from a 429', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => {
      if (call === 1) throw endpointError(429, undefined, 7)
      return { accessToken: 'after-wait', expiresIn: 3600 }
    })
    vi.spyOn(Math, 'random').mockReturnValue(0)
    const m = manager({ source, clock })
    const waiting = m.getToken()
    await clock.advance(6_999)
    expect(source.calls).toBe(1)
    await clock.advance(1)
    expect((await waiting).accessToken).toBe('after-wait')
  })
})

describe('terminal errors', () => {
  it.each([
    ['invalid_client', endpointError(401, 'invalid_client')],
    ['invalid_grant', endpointError(400, 'invalid_grant')],
    ['unauthorized_client', endpointError(400, 'unauthorized_client')],
    ['a 403', endpointError(403)],
    ['transient: false', Object.assign(new Error('nope'), { transient: false })],
  ])('fails fast on %s, with no retry', async (_name, failure) => {
    const source = countingSource(() => {
      throw failure
    })
    const m = manager({ source, clock: new ManualClock() })
    const error = await m.getToken().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, attempts: 1, transient: false, cause: failure })
    expect(source.calls).toBe(1)
  })

  it('retries an error that says nothing of itself, as transient', async () => {
    const source = countingSource((call) => {
      if (call < 3) throw new Error('socket hang up')
      return { accessToken: 'third', expiresIn: 60 }
    })
    const clock = new ManualClock()
    const m = manager({ source, clock, retryDelay: () => 0 })
    const waiting = m.getToken()
    await clock.advance(0)
    expect((await waiting).accessToken).toBe('third')
    expect(source.calls).toBe(3)
  })
})
