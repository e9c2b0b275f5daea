import { ManualClock, countingSource, deferred, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode, ReauthorizationRequiredError } from '../src/errors.ts'
import { MemoryStore } from '../src/stores/memory-store.ts'
import type { TokenEvent } from '../src/token-events.ts'
import { TokenManager } from '../src/token-manager.ts'
import type { TokenManagerOptions } from '../src/token-manager-options.ts'
import { endpointError } from './support/endpoint-error.ts'

const manager = useManagers()

describe('prefetch', () => {
  it("'async' starts the first acquisition at construction", async () => {
    const clock = new ManualClock()
    const source = countingSource()
    const m = manager({ source, clock, prefetch: 'async' })
    await clock.advance(0)
    expect(source.calls).toBe(1)
    expect(m.peek()?.accessToken).toBe('token-1')
  })

  it("'lazy' waits for the first getToken and arms no timer", async () => {
    const clock = new ManualClock()
    const source = countingSource()
    const m = manager({ source, clock, prefetch: 'lazy' })
    await clock.advance(0)
    expect(source.calls).toBe(0)
    await m.getToken()
    expect(source.calls).toBe(1)
    expect(clock.pending).toBe(0)
  })

  it('TokenManager.start resolves after the first token', async () => {
    await using m = await TokenManager.start({ source: countingSource(), clock: new ManualClock() })
    expect(m.peek()?.accessToken).toBe('token-1')
  })

  it('TokenManager.start closes the manager and throws when the first acquisition fails', async () => {
    const source = countingSource(() => {
      throw endpointError(401, 'invalid_client')
    })
    await expect(TokenManager.start({ source, clock: new ManualClock() })).rejects.toMatchObject({
      code: ErrorCode.ACQUISITION_FAILED,
    })
  })
})

describe('close', () => {
  it('stops timers and in-flight work, and rejects waiting callers with a coded error', async () => {
    const clock = new ManualClock()
    const gate = deferred<never>()
    const source = countingSource(async (call, ctx) => {
      if (call === 1) return { accessToken: 'token-1', expiresIn: 100 }
      ctx.signal.addEventListener('abort', () => gate.reject(ctx.signal.reason))
      return gate.promise
    })
    const m = manager({ source, clock, prefetch: 'async' })
    await clock.advance(0)
    expect(clock.pending).toBe(1)
    const waiting = m.refresh()
    await m.close()
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.CLOSED })
    expect(clock.pending).toBe(0)
    expect(m.closed).toBe(true)
    await expect(m.getToken()).rejects.toMatchObject({ code: ErrorCode.CLOSED })
    expect(m.current()).toBeUndefined()
  })

  it('does not hang on a source that ignores the abort signal', async () => {
    const m = manager({ source: countingSource(() => new Promise(() => {})), clock: new ManualClock() })
    const waiting = m.getToken().catch((e: unknown) => e)
    await m.close()
    expect(await waiting).toMatchObject({ code: ErrorCode.CLOSED })
  })

  it('works with await using', async () => {
    const clock = new ManualClock()
    let closed: TokenManager | undefined
    {
      await using m = new TokenManager({ source: countingSource(), clock })
      closed = m
      await m.getToken()
    }
    expect(closed.closed).toBe(true)
    expect(clock.pending).toBe(0)
  })
})

describe('setToken and the store', () => {
  it('persists a manual token through the store before using it', async () => {
    const store = new MemoryStore()
    const m = manager({ source: countingSource(), clock: new ManualClock(), store, name: 'graph' })
    const token = await m.setToken({ accessToken: 'manual', expiresIn: 600 })
    expect(token.source).toBe('manual')
    expect((await m.getToken()).accessToken).toBe('manual')
    expect((await store.get('graph'))?.accessToken).toBe('manual')
  })

  it('rejects with a coded error and keeps the previous token when persisting fails', async () => {
    const store = new MemoryStore()
    const m = manager({ source: countingSource(), clock: new ManualClock(), store })
    const before = await m.getToken()
    vi.spyOn(store, 'set').mockRejectedValue(new Error('disk full'))
    await expect(m.setToken({ accessToken: 'manual', expiresIn: 600 })).rejects.toMatchObject({
      code: ErrorCode.STORE_FAILED,
    })
    expect(await m.getToken()).toBe(before)
  })

  it('restores a usable stored token at start without calling the source', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore()
    const first = manager({ source: countingSource(), clock, store, name: 'api' })
    await first.getToken()
    await first.close()
    const source = countingSource()
    const second = manager({ source, clock, store, name: 'api' })
    expect((await second.getToken()).accessToken).toBe('token-1')
    expect(source.calls).toBe(0)
  })

  it('hands an expired stored token to the source as the previous one', async () => {
    const clock = new ManualClock()
    const store = new MemoryStore()
    await store.set('api', {
      accessToken: 'old',
      tokenType: 'Bearer',
      expiresAt: clock.now() - 1,
      scope: [],
      refreshToken: 'rt-1',
      issuedAt: clock.now() - 3_600_000,
      source: 'test',
    })
    const source = countingSource()
    const m = manager({ source, clock, store, name: 'api' })
    await m.getToken()
    expect(source.contexts[0]?.previous?.refreshToken).toBe('rt-1')
  })

  it('keeps working when the store fails, and says so in an event', async () => {
    const store = new MemoryStore()
    vi.spyOn(store, 'get').mockRejectedValue(new Error('unreachable'))
    vi.spyOn(store, 'set').mockRejectedValue(new Error('unreachable'))
    const events: TokenEvent[] = []
    const m = manager({ source: countingSource(), clock: new ManualClock(), store })
    m.subscribe((e) => events.push(e))
    expect((await m.getToken()).accessToken).toBe('token-1')
    expect(events.filter((e) => e.type === 'store-failed')).toHaveLength(2)
    expect(m.stats().storeFailures).toBe(2)
  })
})

describe('upgradeScopes', () => {
  it('asks the source for the merged scopes', async () => {
    const source = countingSource((call, ctx) => ({ accessToken: `t${call}`, expiresIn: 600, scope: ctx.scopes ?? ['read'] }))
    const m = manager({ source, clock: new ManualClock() })
    await m.getToken()
    const upgraded = await m.upgradeScopes(['write', 'read'])
    expect(source.contexts[1]?.reason).toBe('scope-upgrade')
    expect(source.contexts[1]?.scopes).toEqual(['read', 'write'])
    expect(upgraded.scope).toEqual(['read', 'write'])
  })

  it('fails with ReauthorizationRequiredError carrying the merged scopes when they are not granted', async () => {
    const source = countingSource(() => ({ accessToken: 'same', expiresIn: 600, scope: 'read' }))
    const m = manager({ source, clock: new ManualClock() })
    const before = await m.getToken()
    const error = await m.upgradeScopes(['admin']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReauthorizationRequiredError)
    expect(error).toMatchObject({ code: ErrorCode.REAUTHORIZATION_REQUIRED, scopes: ['read', 'admin'] })
    expect(m.peek()).toBe(before)
    await m.refresh()
    expect(source.contexts.at(-1)?.scopes).toBeUndefined()
  })

  it('turns a terminal refusal (invalid_scope) into ReauthorizationRequiredError', async () => {
    const source = countingSource((call) => {
      if (call === 1) return { accessToken: 'a', expiresIn: 600, scope: 'read' }
      throw endpointError(400, 'invalid_scope')
    })
    const m = manager({ source, clock: new ManualClock() })
    await m.getToken()
    await expect(m.upgradeScopes(['admin'])).rejects.toMatchObject({
      code: ErrorCode.REAUTHORIZATION_REQUIRED,
      scopes: ['read', 'admin'],
    })
  })
})

describe('events and stats', () => {
  it('tells subscribers about updates, failures, invalidations and closing', async () => {
    const clock = new ManualClock()
    const source = countingSource((call) => {
      if (call === 2) throw endpointError(400, 'invalid_grant')
      return { accessToken: `token-${call}`, expiresIn: 600 }
    })
    const events: string[] = []
    const m = manager({ source, clock })
    const off = m.subscribe((e) => events.push(e.type === 'updated' ? `updated:${e.reason}` : e.type))
    const t1 = await m.getToken()
    await m.refresh().catch(() => {})
    await clock.advance(1_000)
    await m.reacquire(t1)
    off()
    await m.refresh()
    expect(events).toEqual(['updated:initial', 'refresh-failed', 'invalidated', 'updated:rejected'])
    const late: string[] = []
    m.subscribe((e) => late.push(e.type))
    await m.close()
    expect(late).toEqual(['closed'])
  })

  it('survives a listener that throws, reporting it as a process warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {})
    const m = manager({ source: countingSource(), clock: new ManualClock() })
    m.subscribe(() => {
      throw new Error('listener bug')
    })
    expect((await m.getToken()).accessToken).toBe('token-1')
    expect(warn).toHaveBeenCalledWith(expect.any(String), expect.objectContaining({ code: 'TOKENWARDEN_LISTENER_ERROR' }))
  })

  it('counts its work', async () => {
    const source = countingSource()
    const m = manager({ source, clock: new ManualClock() })
    const t1 = await m.getToken()
    await m.getToken()
    await m.reacquire(t1)
    expect(m.stats()).toMatchObject({ acquisitions: 2, attempts: 2, failures: 0, hits: 2, reacquires: 1, invalidations: 1 })
  })

  it('counts nothing before its first use, with every counter present', () => {
    const m = manager({ source: countingSource(), clock: new ManualClock(), prefetch: 'lazy' })
    const names = 'acquisitions attempts failures hits waits reacquires proactiveRefreshes invalidations storeFailures adopted leasesWon leasesWaited'
    expect(m.stats()).toEqual(Object.fromEntries(names.split(' ').map((name) => [name, 0])))
  })
})

describe('recognize', () => {
  it('knows the Authorization of its last 8 tokens, newest included, and none before its first token', async () => {
    const m = manager({ source: countingSource(), clock: new ManualClock(), prefetch: 'lazy' })
    expect(m.recognize('Bearer token-1')).toBeUndefined()
    for (let i = 0; i < 10; i++) await m.refresh()
    expect(m.recognize('Bearer token-1')).toBeUndefined()
    expect(m.recognize('Bearer token-2')).toBeUndefined()
    expect(m.recognize('Bearer token-3')?.accessToken).toBe('token-3')
    expect(m.recognize('Bearer token-10')?.generation).toBe(m.peek()?.generation)
    expect(m.recognize('Bearer someone-else')).toBeUndefined()
  })
})

describe('options', () => {
  it.each([
    ['source', { source: undefined }],
    ['source', { source: { kind: 'x' } }],
    ['name', { name: '' }],
    ['prefetch', { prefetch: 'eager' }],
    ['maxRetries', { maxRetries: -1 }],
    ['maxRetries', { maxRetries: 1.5 }],
    ['retryDelay', { retryDelay: 5 }],
    ['refreshBefore', { refreshBefore: -1 }],
    ['expirySkew', { expirySkew: Number.NaN }],
    ['defaultExpiresIn', { defaultExpiresIn: 0 }],
    ['store', { store: {} }],
    ['clock', { clock: { now: () => 0 } }],
    ['scopes', { scopes: 'read' }],
    ['origins[1]', { origins: ['https://ok.example', 'ftp://nope.example'] }],
  ])('rejects a bad %s with a coded TypeError naming it', (option, bad) => {
    const create = (): TokenManager =>
      new TokenManager({ source: countingSource(), prefetch: 'lazy', ...(bad as object) } as TokenManagerOptions)
    expect(create).toThrow(TypeError)
    expect(create).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option }))
  })

  it('refuses a plain-http origin that is not loopback, unless loudly opted in', () => {
    const source = countingSource()
    expect(() => new TokenManager({ source, prefetch: 'lazy', origins: ['http://api.example.com'] })).toThrow(
      expect.objectContaining({ code: ErrorCode.INSECURE_TRANSPORT }),
    )
    const m = manager({ source, origins: ['http://api.example.com'], dangerouslyAllowInsecureHttp: true })
    expect(m.origins.allows('http://api.example.com')).toBe(true)
  })
})
