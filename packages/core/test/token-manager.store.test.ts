import { type CountingSource, ManualClock, countingSource, flush, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { isCoordinatingStore } from '../src/stores/token-store.ts'
import { MemoryStore } from '../src/stores/memory-store.ts'
import type { TokenEvent } from '../src/token-events.ts'
import type { TokenManager } from '../src/token-manager.ts'
import { FleetStore } from './support/fleet-store.ts'

const manager = useManagers()

describe('a plain store', () => {
  it('does not give back a token just invalidated: the next token comes from the source', async () => {
    const clock = new ManualClock()
    const source = countingSource()
    const m = manager({ source, clock, store: new MemoryStore(), name: 'api' })
    const first = await m.getToken()
    expect(m.invalidate(first)).toBe(true)
    const second = await m.getToken()
    expect(second.accessToken).toBe('token-2')
    expect(source.calls).toBe(2)
    expect(source.contexts[1]?.reason).toBe('rejected')
  })

  it('is not a coordinating store', () => {
    expect(isCoordinatingStore(new MemoryStore())).toBe(false)
    expect(isCoordinatingStore(new FleetStore())).toBe(true)
  })
})

/** `n` managers of one credential sharing `store`, each with a source of its own. */
function fleet(n: number, store: FleetStore, clock: ManualClock): { managers: TokenManager[]; sources: CountingSource[] } {
  const sources = Array.from({ length: n }, (_, i) =>
    countingSource((call) => ({ accessToken: `p${i}-token-${call}`, expiresIn: 3600 })),
  )
  const managers = sources.map((source) => manager({ source, clock, store, name: 'graph' }))
  return { managers, sources }
}

const calls = (sources: CountingSource[]): number => sources.reduce((sum, s) => sum + s.calls, 0)

describe('a coordinating store', () => {
  it('makes one token request for the first token of 5 processes, all of which end on it', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const { managers, sources } = fleet(5, store, clock)
    const tokens = await Promise.all(managers.map((m) => m.getToken()))
    expect(calls(sources)).toBe(1)
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1)
  })

  it('makes one token request for a fleet-wide 401, and none for a late 401 carrying the older token', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const { managers, sources } = fleet(5, store, clock)
    const first = await Promise.all(managers.map((m) => m.getToken()))
    const replaced = await Promise.all(managers.map((m, i) => m.reacquire(first[i]!)))
    expect(calls(sources)).toBe(2)
    expect(new Set(replaced.map((t) => t.accessToken)).size).toBe(1)
    expect(replaced[0]?.accessToken).not.toBe(first[0]?.accessToken)
    const late = await managers[2]!.reacquire(first[2]!)
    expect(late.accessToken).toBe(replaced[0]?.accessToken)
    expect(calls(sources)).toBe(2)
  })

  it('lets a forced refresh adopt a newer token a peer already stored, without a token request', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const { managers, sources } = fleet(2, store, clock)
    const [a, b] = managers as [TokenManager, TokenManager]
    await a.getToken()
    await b.getToken()
    store.silent = true
    const renewed = await b.refresh()
    await flush()
    expect(a.peek()?.accessToken).not.toBe(renewed.accessToken)
    expect((await a.refresh()).accessToken).toBe(renewed.accessToken)
    expect(calls(sources)).toBe(2)
  })

  it('tells an idle process of a peer token: adopted as stored, never written back', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const [a, b] = fleet(2, store, clock).managers as [TokenManager, TokenManager]
    const events: TokenEvent[] = []
    b.subscribe((e) => events.push(e))
    await a.getToken()
    await flush()
    expect(b.peek()?.accessToken).toBe(a.peek()?.accessToken)
    expect(events.map((e) => (e.type === 'updated' ? `updated:${e.reason}` : e.type))).toEqual(['updated:stored'])
    expect(store.acquisitions).toBe(1)
    expect(b.stats()).toMatchObject({ adopted: 1, attempts: 0 })
    expect(a.stats()).toMatchObject({ adopted: 0, attempts: 1 })
  })

  it('says how the store answered each process: one won the lease, the others waited for it, a later one adopted at once', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const { managers, sources } = fleet(3, store, clock)
    const outcomes: string[][] = []
    const listen = (m: TokenManager): void => {
      const seen: string[] = []
      outcomes.push(seen)
      m.subscribe((e) => e.type === 'coordinated' && seen.push(`${e.credential}:${e.outcome}`))
    }
    managers.forEach(listen)
    await Promise.all(managers.map((m) => m.getToken()))
    const late = manager({ source: countingSource(), clock, store, name: 'graph' })
    listen(late)
    await late.getToken()
    expect(outcomes).toEqual([['graph:lease-won'], ['graph:lease-waited'], ['graph:lease-waited'], ['graph:adopted']])
    expect([...managers, late].map((m) => m.stats())).toMatchObject([
      { leasesWon: 1, leasesWaited: 0, adopted: 0, attempts: 1 },
      { leasesWon: 0, leasesWaited: 1, adopted: 1, attempts: 0 },
      { leasesWon: 0, leasesWaited: 1, adopted: 1, attempts: 0 },
      { leasesWon: 0, leasesWaited: 0, adopted: 1, attempts: 0 },
    ])
    expect(calls(sources)).toBe(1)
  })

  it('says nothing of coordination when the store failed: a store-failed event, and no lease counted', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const [a] = fleet(1, store, clock).managers as [TokenManager]
    const events: string[] = []
    a.subscribe((e) => events.push(e.type))
    store.down = true
    await a.getToken()
    expect(events).toEqual(['store-failed', 'updated'])
    expect(a.stats()).toMatchObject({ leasesWon: 0, leasesWaited: 0, adopted: 0, storeFailures: 1 })
  })

  it('acquires on its own when the store is down, keeps serving its token, and says so in an event', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const { managers, sources } = fleet(2, store, clock)
    const [a, b] = managers as [TokenManager, TokenManager]
    const failures: unknown[] = []
    a.subscribe((e) => e.type === 'store-failed' && failures.push(e.error))
    await a.getToken()
    store.down = true
    const renewed = await a.refresh()
    expect(renewed.accessToken).toBe('p0-token-2')
    expect(failures).toHaveLength(1)
    expect(a.current()).toBe(renewed)
    store.down = false
    expect((await b.getToken()).accessToken).toBe('p0-token-1')
    expect(calls(sources)).toBe(2)
  })

  it('passes a source failure to the callers, not for a store failure', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const source = countingSource(() => {
      throw Object.assign(new Error('denied'), { status: 401, error: 'invalid_client' })
    })
    const m = manager({ source, clock, store, name: 'graph' })
    const events: string[] = []
    m.subscribe((e) => events.push(e.type))
    await expect(m.getToken()).rejects.toMatchObject({ code: 'TOKEN_ACQUISITION_FAILED' })
    expect(events).not.toContain('store-failed')
    expect(source.calls).toBe(1)
  })
})

describe('a coordinating store and a manager asking for more', () => {
  it('never adopts a stored token lacking the scopes a scope upgrade asks for', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const source = countingSource((call, ctx) => ({ accessToken: `token-${call}`, expiresIn: 3600, scope: ctx.scopes ?? ['read'] }))
    const [a, b] = [manager({ source, clock, store, name: 'graph' }), manager({ source, clock, store, name: 'graph' })]
    await a.getToken()
    await b.getToken()
    store.silent = true
    const peers = await b.refresh()
    const upgraded = await a.upgradeScopes(['write'])
    expect(upgraded.accessToken).not.toBe(peers.accessToken)
    expect(upgraded.scope).toEqual(['read', 'write'])
    expect(source.calls).toBe(3)
  })

  it('never adopts a stored token for a claims challenge', async () => {
    const clock = new ManualClock()
    const store = new FleetStore()
    const source = countingSource()
    const [a, b] = [manager({ source, clock, store, name: 'graph' }), manager({ source, clock, store, name: 'graph' })]
    const first = await a.getToken()
    await b.getToken()
    store.silent = true
    const renewed = await b.refresh()
    const claimed = await a.reacquire(first, { claims: '{"access_token":{"acrs":{"essential":true}}}' })
    expect(claimed.accessToken).not.toBe(renewed.accessToken)
    expect(source.contexts.at(-1)?.claims).toContain('acrs')
  })
})
