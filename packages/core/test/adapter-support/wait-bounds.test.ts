import { ManualClock, countingSource, useManagers } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AuthRequest, RequestAuth, type WaitBounds } from '../../src/adapter.ts'

const ORIGIN = 'https://api.example.com'
/** Lazy managers for ORIGIN on a manual clock (their timers never fire), without retries or cool-down. */
const newManager = useManagers({ name: 'test', origins: [ORIGIN], maxRetries: 0, coolDown: 0 })

/** A manager whose acquisitions wait until `release()`. */
function held() {
  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))
  const source = countingSource(async (call) => {
    await gate
    return { accessToken: `t-${call}`, expiresIn: 3600 }
  })
  const manager = newManager({ source, clock: new ManualClock() })
  return { auth: new RequestAuth(manager), manager, source, release }
}

/** A request to the origin under `bounds`, made ready: `undefined` when ready at once, else the wait. */
function ready(auth: RequestAuth, bounds: Partial<WaitBounds>): { request: AuthRequest; waiting: Promise<void> | undefined } {
  const request = auth.begin({ url: `${ORIGIN}/x`, method: 'GET', ...bounds }) as AuthRequest
  return { request, waiting: request.ready() }
}

class ClientTimeout extends Error {}
const timedOut = (): ClientTimeout => new ClientTimeout('the client gave up')

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('AuthRequest.ready within the request\'s bounds', () => {
  it('returns a cached token itself, and starts no timer', async () => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    release()
    await manager.getToken()
    const { waiting, request } = ready(auth, { timeoutMs: 1000, timedOut })
    expect(waiting).toBeUndefined()
    expect(request.authorization).toBe('Bearer t-1')
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })

  it('clears its timer as soon as the token comes', async () => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    const { waiting, request } = ready(auth, { timeoutMs: 1000, timedOut })
    expect(vi.getTimerCount()).toBe(1)
    release()
    await waiting
    expect(request.authorization).toBe('Bearer t-1')
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })

  it("ends only this caller's wait at the deadline, with the client's error; the acquisition goes on", async () => {
    vi.useFakeTimers()
    const { auth, manager, source, release } = held()
    const bounded = ready(auth, { timeoutMs: 1000, timedOut }).waiting
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
    const { waiting } = ready(auth, { signal: controller.signal, timeoutMs: 1000, timedOut })
    controller.abort(new Error('caller gave up'))
    await expect(waiting).rejects.toThrow('caller gave up')
    expect(vi.getTimerCount()).toBe(0)
    expect(remove).toHaveBeenCalled()
    await manager.close()
  })

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31])('sets no timer for a timeout of %d ms (none)', async (timeoutMs) => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    const { waiting } = ready(auth, { timeoutMs, timedOut })
    expect(vi.getTimerCount()).toBe(0)
    release()
    await waiting
    await manager.close()
  })

  it("unref's its timer: a caller's deadline never keeps the process alive by itself", async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const { auth, manager } = held()
    const { waiting } = ready(auth, { timeoutMs: 60_000, timedOut })
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout
    expect(timer.hasRef()).toBe(false)
    waiting?.catch(() => {})
    await manager.close()
  })
})

describe('AuthRequest.respond within the request\'s bounds', () => {
  it('starts no timer when the response is not retried', async () => {
    vi.useFakeTimers()
    const { auth, manager, release } = held()
    release()
    await manager.getToken()
    const { request } = ready(auth, { timeoutMs: 1000, timedOut })
    expect(request.respond(200, () => undefined)).toBeUndefined()
    expect(request.respond(401, () => 'Basic realm="other"')).toBeUndefined()
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
    const manager = newManager({ source, clock: new ManualClock() })
    const auth = new RequestAuth(manager)
    await manager.getToken()
    const { request } = ready(auth, { timeoutMs: 500, timedOut })
    const next = request.respond(401, () => undefined)
    const outcome = expect(next).rejects.toBeInstanceOf(ClientTimeout)
    await vi.advanceTimersByTimeAsync(500)
    await outcome
    release()
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't-2' })
    expect(vi.getTimerCount()).toBe(0)
    await manager.close()
  })
})
