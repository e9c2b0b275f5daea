import { ManualClock, countingSource, deferred, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'

const manager = useManagers({ clock: new ManualClock() })

describe('single flight', () => {
  it('calls the source once for 10,000 concurrent getToken() on an empty manager', async () => {
    const gate = deferred<void>()
    const source = countingSource(async (call) => {
      await gate.promise
      return { accessToken: `token-${call}`, expiresIn: 3600 }
    })
    const m = manager({ source })
    const waits = Array.from({ length: 10_000 }, () => m.getToken())
    gate.resolve()
    const tokens = await Promise.all(waits)
    expect(source.calls).toBe(1)
    expect(new Set(tokens).size).toBe(1)
    expect(tokens[0]?.accessToken).toBe('token-1')
    expect(m.stats().waits).toBe(10_000)
  })

  it('shares one acquisition among 1,000 concurrent reacquire(T1)', async () => {
    const source = countingSource()
    const m = manager({ source })
    const t1 = await m.getToken()
    const results = await Promise.all(Array.from({ length: 1_000 }, () => m.reacquire(t1)))
    expect(source.calls).toBe(2)
    expect(new Set(results.map((t) => t.accessToken))).toEqual(new Set(['token-2']))
    expect(results[0]?.generation).toBeGreaterThan(t1.generation)
    expect(m.stats().reacquires).toBe(1_000)
    expect(m.stats().invalidations).toBe(1)
  })

  it('answers reacquire(T0) with T1 at once when T1 already replaced T0', async () => {
    const source = countingSource()
    const m = manager({ source })
    const t0 = await m.getToken()
    const t1 = await m.reacquire(t0)
    expect(source.calls).toBe(2)
    const late = await m.reacquire(t0)
    expect(late).toBe(t1)
    expect(source.calls).toBe(2)
  })

  it('joins the in-flight acquisition when a reacquire arrives while it runs', async () => {
    const gates = [deferred<void>(), deferred<void>()]
    const source = countingSource(async (call) => {
      await gates[call - 1]?.promise
      return { accessToken: `token-${call}`, expiresIn: 3600 }
    })
    const m = manager({ source })
    gates[0]?.resolve()
    const t1 = await m.getToken()
    const first = m.reacquire(t1)
    const second = m.reacquire(t1)
    const waiting = m.getToken()
    gates[1]?.resolve()
    const [a, b, c] = await Promise.all([first, second, waiting])
    expect(source.calls).toBe(2)
    expect(a).toBe(b)
    expect(c).toBe(a)
  })

  it('invalidate(token) drops only the token it names', async () => {
    const m = manager({ source: countingSource() })
    const t1 = await m.getToken()
    const t2 = await m.refresh()
    expect(m.invalidate(t1)).toBe(false)
    expect(m.peek()).toBe(t2)
    expect(m.invalidate(t2)).toBe(true)
    expect(m.peek()).toBeUndefined()
    expect(m.invalidate()).toBe(false)
  })

  it('refresh() is single-flight too', async () => {
    const source = countingSource()
    const m = manager({ source })
    await m.getToken()
    const [a, b] = await Promise.all([m.refresh(), m.refresh()])
    expect(a).toBe(b)
    expect(source.calls).toBe(2)
  })
})

describe('aborting a wait', () => {
  it('rejects only the aborted caller; the others get the token', async () => {
    const gate = deferred<void>()
    const source = countingSource(async (call) => {
      await gate.promise
      return { accessToken: `token-${call}`, expiresIn: 3600 }
    })
    const m = manager({ source })
    const controller = new AbortController()
    const aborted = m.getToken({ signal: controller.signal })
    const others = Array.from({ length: 10 }, () => m.getToken())
    controller.abort()
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' })
    gate.resolve()
    const tokens = await Promise.all(others)
    expect(tokens.every((t) => t.accessToken === 'token-1')).toBe(true)
    expect(source.calls).toBe(1)
  })

  it('rejects at once with the reason of an already-aborted signal, without calling the source', async () => {
    const source = countingSource()
    const m = manager({ source })
    const reason = new Error('gave up')
    await expect(m.getToken({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason)
    expect(source.calls).toBe(0)
  })
})

describe('a job that has just published', () => {
  it('is not joined by a caller that invalidated its token from an updated listener', async () => {
    const source = countingSource()
    const m = manager({ source })
    const seen: Promise<string>[] = []
    m.subscribe((event) => {
      if (event.type !== 'updated' || event.token.generation !== 1) return
      m.invalidate(event.token)
      seen.push(m.getToken().then((t) => t.accessToken))
    })
    await m.getToken()
    expect(await seen[0]).toBe('token-2')
    expect(source.calls).toBe(2)
  })
})

describe('a caller asking for more than the acquisition in flight (claims, scopes)', () => {
  const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'

  it('waits for a background refresh, then gives its claims to the source in one acquisition shared by every caller with them', async () => {
    const clock = new ManualClock()
    const proactive = deferred<void>()
    const source = countingSource(async (call, ctx) => {
      if (ctx.reason === 'proactive') await proactive.promise
      return { accessToken: `token-${call}`, expiresIn: 100 }
    })
    const m = manager({ source, clock, refreshBefore: 30, expirySkew: 5 })
    const t1 = await m.getToken()
    await clock.advance(75_000)
    expect(m.current()).toBe(t1)
    expect(source.contexts.at(-1)?.reason).toBe('proactive')
    const claimed = Promise.all(Array.from({ length: 5 }, () => m.reacquire(t1, { claims })))
    proactive.resolve()
    const tokens = await claimed
    expect(source.calls).toBe(3)
    expect(source.contexts[2]).toMatchObject({ reason: 'claims', claims })
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['token-3']))
  })

  it('gives each of two different claims challenges its own acquisition', async () => {
    const source = countingSource()
    const m = manager({ source })
    const t1 = await m.getToken()
    const other = '{"access_token":{"acrs":{"essential":true,"value":"c2"}}}'
    const [a, b] = await Promise.all([m.reacquire(t1, { claims }), m.reacquire(t1, { claims: other })])
    expect(source.contexts.slice(1).map((ctx) => [ctx.reason, ctx.claims])).toEqual([
      ['claims', claims],
      ['claims', other],
    ])
    expect([a.accessToken, b.accessToken]).toEqual(['token-2', 'token-3'])
  })

  it('upgradeScopes never joins an acquisition that started without its scopes, even one started as the last ended', async () => {
    const forced = deferred<void>()
    const source = countingSource(async (call, ctx) => {
      if (call === 2) await forced.promise
      return { accessToken: `token-${call}`, expiresIn: 3600, scope: ctx.scopes ?? ['read'] }
    })
    const m = manager({ source })
    await m.getToken()
    m.subscribe((event) => {
      if (event.type === 'updated' && event.token.accessToken === 'token-2') void m.refresh()
    })
    const refreshed = m.refresh()
    const upgraded = m.upgradeScopes(['write'])
    forced.resolve()
    await refreshed
    const token = await upgraded
    expect(token.scope).toEqual(['read', 'write'])
    expect(source.contexts.map((ctx) => ctx.reason)).toEqual(['initial', 'forced', 'forced', 'scope-upgrade'])
  })
})
