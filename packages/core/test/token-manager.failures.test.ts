import { ManualClock, countingSource, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { ErrorCode, TokenError } from '../src/errors.ts'
import type { AcquireContext, TokenGrant } from '../src/source.ts'
import type { TokenManager } from '../src/token-manager.ts'
import { endpointError } from './support/endpoint-error.ts'

const manager = useManagers()

/** Runs `workers` concurrent calls of `call` every `stepMs` for `durationMs` of the clock's time. */
async function hammer(clock: ManualClock, durationMs: number, workers: number, call: () => Promise<unknown>): Promise<unknown[]> {
  const errors: unknown[] = []
  for (let elapsed = 0; elapsed < durationMs; elapsed += 10) {
    await Promise.all(Array.from({ length: workers }, () => call().catch((error: unknown) => errors.push(error))))
    await clock.advance(10)
  }
  return errors
}

const invalidClient = (): Error => endpointError(401, 'invalid_client')

describe('after a failed acquisition (cool-down)', () => {
  it('makes a handful of token requests, not thousands, for 10 workers asking with a wrong client secret for 3 s', async () => {
    const clock = new ManualClock()
    const source = countingSource(() => {
      throw invalidClient()
    })
    const m = manager({ source, clock })
    const errors = await hammer(clock, 3_000, 10, () => m.getToken())
    expect(errors).toHaveLength(3_000)
    expect(source.calls).toBeGreaterThanOrEqual(2)
    expect(source.calls).toBeLessThanOrEqual(4)
    expect(new Set(errors.map((e) => (e as TokenError).code))).toEqual(new Set([ErrorCode.ACQUISITION_FAILED]))
  })

  it('answers callers during the cool-down with the same coded error, saying when the next try may run', async () => {
    const clock = new ManualClock()
    const source = countingSource(() => {
      throw invalidClient()
    })
    const m = manager({ source, clock, coolDown: 2 })
    const first = (await m.getToken().catch((e: unknown) => e)) as TokenError
    expect(first.code).toBe(ErrorCode.ACQUISITION_FAILED)
    expect(first.retryAt).toBeGreaterThanOrEqual(clock.now() + 1_000)
    expect(first.retryAt).toBeLessThanOrEqual(clock.now() + 2_000)
    await clock.advance(900)
    await expect(m.getToken()).rejects.toBe(first)
    expect(source.calls).toBe(1)
    await clock.advance(first.retryAt! - clock.now())
    const second = (await m.getToken().catch((e: unknown) => e)) as TokenError
    expect(second).not.toBe(first)
    expect(source.calls).toBe(2)
    expect(second.retryAt! - clock.now()).toBeGreaterThanOrEqual(2_000)
  })

  it('keeps a terminal tokenwarden error as it is, with its retryAt', async () => {
    const clock = new ManualClock()
    const refused = new TokenError(ErrorCode.SOURCE_FAILED, 'the command failed', { transient: false })
    const m = manager({ source: countingSource(() => Promise.reject(refused)), clock })
    const error = (await m.getToken().catch((e: unknown) => e)) as TokenError
    expect(error).toBe(refused)
    expect(error.retryAt).toBeGreaterThan(clock.now())
  })

  it('never ends a cool-down before the Retry-After of the last failure', async () => {
    const clock = new ManualClock()
    const source = countingSource(() => {
      throw endpointError(503, undefined, 30)
    })
    const m = manager({ source, clock, maxRetries: 0 })
    const error = (await m.getToken().catch((e: unknown) => e)) as TokenError
    expect(error.retryAt).toBe(clock.now() + 30_000)
  })

  it('recovers at once when refresh() is called after the secret was corrected', async () => {
    const clock = new ManualClock()
    let secretIsRight = false
    const source = countingSource((call) => {
      if (!secretIsRight) throw invalidClient()
      return { accessToken: `token-${call}`, expiresIn: 3600 }
    })
    const m = manager({ source, clock })
    await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.ACQUISITION_FAILED })
    secretIsRight = true
    await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.ACQUISITION_FAILED })
    expect((await m.refresh()).accessToken).toBe('token-2')
    expect((await m.getToken()).accessToken).toBe('token-2')
  })

  it('recovers at once when a token is set by hand', async () => {
    const clock = new ManualClock()
    const source = countingSource(() => {
      throw invalidClient()
    })
    const m = manager({ source, clock })
    await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.ACQUISITION_FAILED })
    await m.setToken({ accessToken: 'manual', expiresIn: 60 })
    expect((await m.getToken()).accessToken).toBe('manual')
    m.invalidate()
    await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.ACQUISITION_FAILED })
    expect(source.calls).toBe(2)
  })

  it('doubles the cool-down for each failure in a row, up to 60 s, and starts again after a success', async () => {
    const clock = new ManualClock()
    let failing = true
    const source = countingSource((call) => {
      if (failing) throw invalidClient()
      return { accessToken: `token-${call}`, expiresIn: 3600 }
    })
    const m = manager({ source, clock })
    const waits: number[] = []
    for (let i = 0; i < 9; i++) {
      const error = (await m.getToken().catch((e: unknown) => e)) as TokenError
      waits.push(error.retryAt! - clock.now())
      await clock.advance(error.retryAt! - clock.now())
    }
    const ceilings = [1, 2, 4, 8, 16, 32, 60, 60, 60].map((s) => s * 1000)
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(ceilings[i]! / 2)
      expect(wait).toBeLessThanOrEqual(ceilings[i]!)
    })
    failing = false
    const token = await m.getToken()
    m.invalidate(token)
    failing = true
    const error = (await m.getToken().catch((e: unknown) => e)) as TokenError
    expect(error.retryAt! - clock.now()).toBeLessThanOrEqual(1_000)
  })

  it('is off with coolDown: 0', async () => {
    const clock = new ManualClock()
    const source = countingSource(() => {
      throw invalidClient()
    })
    const m = manager({ source, clock, coolDown: 0 })
    for (let i = 0; i < 5; i++) await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.ACQUISITION_FAILED })
    expect(source.calls).toBe(5)
  })
})

describe('tokens rejected right after they were issued', () => {
  it('are reacquired ever more slowly: an API rejecting every token for 3 s gets a handful of token requests', async () => {
    const clock = new ManualClock()
    const source = countingSource()
    const m = manager({ source, clock })
    let running = true
    const worker = async (): Promise<void> => {
      while (running) {
        await m.reacquire(await m.getToken())
        await new Promise((resolve) => setImmediate(resolve))
      }
    }
    const workers = Array.from({ length: 10 }, worker)
    for (let elapsed = 0; elapsed < 3_000; elapsed += 10) await clock.advance(10)
    const calls = source.calls
    running = false
    await clock.advance(120_000)
    await Promise.all(workers)
    expect(calls).toBeGreaterThanOrEqual(3)
    expect(calls).toBeLessThanOrEqual(5)
  })

  it('answer the first rejection at once: 1,000 concurrent 401s share one acquisition with no wait', async () => {
    const clock = new ManualClock()
    const source = countingSource()
    const m = manager({ source, clock })
    const rejected = await m.getToken()
    const tokens = await Promise.all(Array.from({ length: 1_000 }, () => m.reacquire(rejected)))
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-2']))
    expect(source.calls).toBe(2)
    expect(clock.pending).toBe(0)
  })

  it('start counting again after a token that lived over a minute', async () => {
    const clock = new ManualClock()
    const source = countingSource()
    const m = manager({ source, clock })
    await m.reacquire(await m.getToken())
    await clock.advance(61_000)
    const settled = m.reacquire(await m.getToken())
    await clock.advance(0)
    expect((await settled).accessToken).toBe('token-3')
    expect(clock.pending).toBe(0)
  })
})

describe('a source that does not answer', () => {
  const never = (): Promise<TokenGrant> => new Promise(() => {})

  it('is abandoned after sourceTimeout: its signal aborts and the attempt counts as a transient TOKEN_SOURCE_TIMEOUT', async () => {
    const clock = new ManualClock()
    const contexts: AcquireContext[] = []
    const m = manager({
      source: { kind: 'stuck', acquire: (ctx) => (contexts.push(ctx), never()) },
      clock,
      sourceTimeout: 5,
      maxRetries: 1,
      retryDelay: () => 1_000,
    })
    const failed = m.getToken().catch((e: unknown) => e)
    await clock.advance(4_999)
    expect(contexts[0]?.signal.aborted).toBe(false)
    await clock.advance(1)
    expect(contexts[0]?.signal.aborted).toBe(true)
    await clock.advance(6_000)
    const error = (await failed) as TokenError & { attempts: number }
    expect(error).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, attempts: 2, transient: true })
    expect(error.cause).toMatchObject({ code: ErrorCode.SOURCE_TIMEOUT, transient: true })
    expect(contexts).toHaveLength(2)
  })

  it('does not hang refresh() or the callers after invalidate() forever (30 s by default)', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => (call === 1 ? { accessToken: 'token-1', expiresIn: 3600 } : never()))
    const m = manager({ source, clock, maxRetries: 0 })
    const token = await m.getToken()
    const refreshed = m.refresh().catch((e: unknown) => e)
    m.invalidate(token)
    const waited = m.getToken().catch((e: unknown) => e)
    await clock.advance(30_000)
    expect(await refreshed).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, cause: { code: ErrorCode.SOURCE_TIMEOUT } })
    expect(await waited).toBe(await refreshed)
    expect(clock.pending).toBe(0)
  })

  it('rejects a sourceTimeout that is not a positive number of seconds', () => {
    expect(() => manager({ source: countingSource(), sourceTimeout: 0 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'sourceTimeout' }),
    )
    expect(() => manager({ source: countingSource(), coolDown: -1 })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'coolDown' }),
    )
  })
})

describe('holding the process open', () => {
  /** A manual clock that counts holds on the process. */
  function holdingClock(): ManualClock & { held: number; holds: number } {
    const clock = Object.assign(new ManualClock(), { held: 0, holds: 0 })
    Object.assign(clock, {
      hold: () => {
        clock.holds++
        clock.held++
        return () => clock.held--
      },
    })
    return clock
  }

  it('holds it once while callers wait, and lets it go when the last wait ends, aborted ones included', async () => {
    const clock = holdingClock()
    let answer!: (grant: TokenGrant) => void
    const source = countingSource(() => new Promise<TokenGrant>((resolve) => (answer = resolve)))
    const m: TokenManager = manager({ source, clock })
    const controller = new AbortController()
    const waits = [m.getToken(), m.getToken(), m.getToken({ signal: controller.signal }).catch(() => 'aborted')]
    await clock.advance(0)
    expect(clock).toMatchObject({ held: 1, holds: 1 })
    controller.abort()
    await clock.advance(0)
    expect(clock.held).toBe(1)
    answer({ accessToken: 'token', expiresIn: 3600 })
    await Promise.all(waits)
    await clock.advance(0)
    expect(clock.held).toBe(0)
    for (let i = 0; i < 10; i++) await m.getToken()
    expect(clock.holds).toBe(1)
  })

  it('never holds it for an acquisition nobody waits for', async () => {
    const clock = holdingClock()
    const m = manager({ source: countingSource(), clock, prefetch: 'async' })
    await clock.advance(0)
    expect(m.peek()?.accessToken).toBe('token-1')
    expect(clock.holds).toBe(0)
  })
})
