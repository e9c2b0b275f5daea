import { ManualClock, countingSource, flush } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import { type CredentialPool, credentialPool } from '../../src/pool/credential-pool.ts'
import type { CredentialPoolOptions } from '../../src/pool/pool-options.ts'
import type { TokenManager } from '../../src/token-manager.ts'

const pools: CredentialPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()))
})

type Source = ReturnType<typeof countingSource>

/** A pool whose key `k` has a counting source issuing `k-1`, `k-2`…, kept in `sources`. */
function pool(options: Partial<CredentialPoolOptions> & { clock: ManualClock }): {
  tenants: CredentialPool
  sources: Map<string, Source>
} {
  const sources = new Map<string, Source>()
  const tenants = credentialPool({
    name: 'tenants',
    max: 100,
    template: (key) => {
      const source = countingSource({ prefix: key })
      sources.set(key, source)
      return { source, sourceTimeout: 3600 }
    },
    ...options,
  })
  pools.push(tenants)
  return { tenants, sources }
}

const SECOND = 1000

describe('max', () => {
  it('keeps at most max managers, closing and dropping the least recently used', async () => {
    const clock = new ManualClock()
    const { tenants } = pool({ clock, max: 3 })
    const [a, b, c] = ['a', 'b', 'c'].map((key) => tenants.get(key)) as [TokenManager, TokenManager, TokenManager]
    tenants.get('a')
    const d = tenants.get('d')
    await flush()
    expect(b.closed).toBe(true)
    expect([a, c, d].some((manager) => manager.closed)).toBe(false)
    expect(tenants.has('b')).toBe(false)
    expect([...tenants.keys()]).toEqual(['d', 'a', 'c'])
    tenants.get('e')
    tenants.get('f')
    await flush()
    expect([...tenants.keys()]).toEqual(['f', 'e', 'd'])
    expect(a.closed && c.closed).toBe(true)
    expect(tenants.stats()).toMatchObject({ size: 3, created: 6, evictedByMax: 3, retiring: 0 })
  })

  it('a has() or an iteration is not a use: it does not save a key from eviction', async () => {
    const clock = new ManualClock()
    const { tenants } = pool({ clock, max: 2 })
    const a = tenants.get('a')
    tenants.get('b')
    expect(tenants.has('a')).toBe(true)
    expect([...tenants.entries()]).toHaveLength(2)
    tenants.get('c')
    await flush()
    expect(a.closed).toBe(true)
  })
})

describe('idle', () => {
  it('drops managers unused for idle seconds at the next sweep, with one timer for the whole pool and none while it is empty', async () => {
    const clock = new ManualClock()
    const { tenants } = pool({ clock, idle: 60, max: 10_000 })
    expect(clock.pending).toBe(0)
    const a = tenants.get('a')
    await a.getToken()
    expect(clock.pending).toBe(1)
    await clock.advance(20 * SECOND)
    const b = tenants.get('b')
    for (let i = 0; i < 1000; i++) tenants.get(`tenant-${i}`)
    expect(clock.pending).toBe(1)
    // a sweep every 15 s: a, last used before the sweep at 15 s, is past idle at the one at 75 s;
    // b and the others, last used before the sweep at 30 s, at the one at 90 s
    await clock.advance(55 * SECOND - 1)
    expect(tenants.has('a')).toBe(true)
    await clock.advance(1)
    expect(tenants.has('a')).toBe(false)
    expect(a.closed).toBe(true)
    expect(b.closed).toBe(false)
    expect(clock.pending).toBe(1)
    await clock.advance(15 * SECOND)
    expect(b.closed).toBe(true)
    expect(tenants.stats()).toMatchObject({ size: 0, evictedByIdle: 1002, retiring: 0 })
    expect(clock.pending).toBe(0)
  })

  it('keeps a manager in use: each get restarts its idle time', async () => {
    const clock = new ManualClock()
    const { tenants, sources } = pool({ clock, idle: 60 })
    const a = tenants.get('a')
    await a.getToken()
    for (let i = 0; i < 10; i++) {
      await clock.advance(45 * SECOND)
      expect(tenants.get('a')).toBe(a)
    }
    expect(a.closed).toBe(false)
    expect(sources.get('a')?.calls).toBe(1)
    expect(clock.pending).toBe(1)
  })

  it('after its manager was dropped, a get makes a new one, which arms the timer again', async () => {
    const clock = new ManualClock()
    const { tenants } = pool({ clock, idle: 1 })
    const a = tenants.get('a')
    await clock.advance(2 * SECOND)
    expect(a.closed).toBe(true)
    expect(clock.pending).toBe(0)
    const again = tenants.get('a')
    expect(again).not.toBe(a)
    expect(clock.pending).toBe(1)
    expect((await again.getToken()).accessToken).toBe('a-1')
    expect(tenants.stats()).toMatchObject({ created: 2, evictedByIdle: 1 })
  })
})

describe('dropping a manager with work in flight', () => {
  it('evicted by max: its waiters get their token, it closes with no timer left, and the next get makes a new manager', async () => {
    const clock = new ManualClock()
    const { tenants, sources } = pool({ clock, max: 1 })
    const a = tenants.get('a')
    const release = sources.get('a')?.hold() as () => void
    const waiting = Array.from({ length: 100 }, () => a.getToken())
    await sources.get('a')?.called(1)
    tenants.get('b')
    await flush()
    expect(tenants.has('a')).toBe(false)
    expect(a.closed).toBe(false)
    expect(tenants.stats()).toMatchObject({ evictedByMax: 1, retiring: 1 })
    expect(clock.pending).toBeGreaterThan(0)
    release()
    const tokens = await Promise.all(waiting)
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['a-1']))
    await flush()
    expect(a.closed).toBe(true)
    expect(clock.pending).toBe(0)
    expect(tenants.stats().retiring).toBe(0)
    const next = tenants.get('a')
    expect(next).not.toBe(a)
    expect(next.closed).toBe(false)
  })

  it('gone idle: its waiters get their token before it closes', async () => {
    const clock = new ManualClock()
    const { tenants, sources } = pool({ clock, idle: 60 })
    const a = tenants.get('a')
    const release = sources.get('a')?.hold() as () => void
    const waiting = a.getToken()
    await clock.advance(75 * SECOND)
    expect(tenants.stats()).toMatchObject({ evictedByIdle: 1, retiring: 1 })
    expect(a.closed).toBe(false)
    release()
    expect((await waiting).accessToken).toBe('a-1')
    await flush()
    expect(a.closed).toBe(true)
    expect(clock.pending).toBe(0)
  })

  it('delete resolves once its waiters have their token and it is closed', async () => {
    const clock = new ManualClock()
    const { tenants, sources } = pool({ clock })
    const a = tenants.get('a')
    const release = sources.get('a')?.hold() as () => void
    const order: string[] = []
    const waiting = a.getToken().then((token) => order.push(token.accessToken))
    const deleted = tenants.delete('a').then((was) => order.push(`deleted ${was} closed ${a.closed}`))
    await flush()
    expect(order).toEqual([])
    expect(tenants.has('a')).toBe(false)
    release()
    await Promise.all([waiting, deleted])
    expect(order).toEqual(['a-1', 'deleted true closed true'])
  })

  it('close() does not wait: it closes dropped managers too, and their waiters reject with TOKEN_MANAGER_CLOSED', async () => {
    const clock = new ManualClock()
    const { tenants, sources } = pool({ clock, max: 1, idle: 60 })
    const a = tenants.get('a')
    sources.get('a')?.hold()
    const waiting = a.getToken().catch((error: { code: string }) => error.code)
    await sources.get('a')?.called(1)
    const b = tenants.get('b')
    sources.get('b')?.hold()
    const waitingB = b.getToken().catch((error: { code: string }) => error.code)
    await flush()
    expect(tenants.stats()).toMatchObject({ size: 1, retiring: 1 })
    await tenants.close()
    expect(await waiting).toBe(ErrorCode.CLOSED)
    expect(await waitingB).toBe(ErrorCode.CLOSED)
    expect(a.closed && b.closed).toBe(true)
    expect(clock.pending).toBe(0)
    expect(tenants.stats()).toMatchObject({ size: 0, retiring: 0 })
  })
})
