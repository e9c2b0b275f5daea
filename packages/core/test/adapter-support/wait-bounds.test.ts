import { afterEach, describe, expect, it, vi } from 'vitest'
import { RequestAuth, Token, retryTokenWithin, tokenWithin } from '../../src/index.ts'
import { countingSource, testManager } from '../../../../test/support/adapter-kit/credential.ts'

const ORIGIN = 'https://api.example.com'

/** A manager whose acquisitions wait until `release()`; its own timers run on a frozen clock. */
function held() {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const source = countingSource(async (call) => {
    await gate
    return { accessToken: `t-${call}`, expiresIn: 3600 }
  })
  const { manager } = testManager([ORIGIN], source)
  return { auth: new RequestAuth(manager), manager, source, release }
}

class ClientTimeout extends Error {}
const timedOut = (): ClientTimeout => new ClientTimeout('the client gave up')

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('tokenWithin', () => {
  it('returns a cached token itself, and starts no timer', async () => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    release()
    await manager.getToken()
    const token = tokenWithin(auth, { timeoutMs: 1000, timedOut })
    expect(token).toBeInstanceOf(Token)
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })

  it('clears its timer as soon as the token comes', async () => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    const waiting = tokenWithin(auth, { timeoutMs: 1000, timedOut })
    expect(vi.getTimerCount()).toBe(1)
    release()
    await expect(waiting).resolves.toMatchObject({ accessToken: 't-1' })
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })

  it("ends only this caller's wait at the deadline, with the client's error; the acquisition goes on", async () => {
    vi.useFakeTimers()
    const { auth, manager, source, release } = held()
    const bounded = tokenWithin(auth, { timeoutMs: 1000, timedOut })
    const other = manager.getToken()
    const outcome = expect(bounded).rejects.toBeInstanceOf(ClientTimeout)
    await vi.advanceTimersByTimeAsync(1000)
    await outcome
    release()
    await expect(other).resolves.toMatchObject({ accessToken: 't-1' })
    expect(source.calls).toBe(1)
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })

  it("ends with the reason of the caller's signal when it aborts first, and lets go of timer and listener", async () => {
    vi.useFakeTimers()
    const { auth, manager } = held()
    const controller = new AbortController()
    const remove = vi.spyOn(controller.signal, 'removeEventListener')
    const waiting = tokenWithin(auth, { signal: controller.signal, timeoutMs: 1000, timedOut })
    controller.abort(new Error('caller gave up'))
    await expect(waiting).rejects.toThrow('caller gave up')
    expect(vi.getTimerCount()).toBe(0)
    expect(remove).toHaveBeenCalled()
    await manager.close()
  })

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('sets no timer for a timeout of %d ms (none)', async (timeoutMs) => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    const waiting = tokenWithin(auth, { timeoutMs, timedOut })
    expect(vi.getTimerCount()).toBe(0)
    release()
    await waiting
    await manager.close()
  })

  it("unref's its timer: a caller's deadline never keeps the process alive by itself", async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const { auth, manager } = held()
    const waiting = tokenWithin(auth, { timeoutMs: 60_000, timedOut })
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    if (waiting instanceof Promise) waiting.catch(() => {})
    await manager.close()
  })
})

describe('retryTokenWithin', () => {
  it('starts no timer when the response is not retried', async () => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    release()
    const used = await manager.getToken()
    const context = { replayable: true, retried: false }
    expect(retryTokenWithin(auth, { status: 200 }, used, context, { timeoutMs: 1000, timedOut })).toBeUndefined()
    expect(retryTokenWithin(auth, { status: 401 }, used, { ...context, retried: true }, { timeoutMs: 1000, timedOut })).toBeUndefined()
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })

  it("ends the wait for a new token at the deadline, with the client's error", async () => {
    vi.useFakeTimers()
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const source = countingSource(async (call) => {
      if (call > 1) await gate
      return { accessToken: `t-${call}`, expiresIn: 3600 }
    })
    const { manager } = testManager([ORIGIN], source)
    const auth = new RequestAuth(manager)
    const used = await manager.getToken()
    const next = retryTokenWithin(auth, { status: 401 }, used, { replayable: true, retried: false }, { timeoutMs: 500, timedOut })
    const outcome = expect(next).rejects.toBeInstanceOf(ClientTimeout)
    await vi.advanceTimersByTimeAsync(500)
    await outcome
    release()
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't-2' })
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })
})
