import { inspect } from 'node:util'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { ManualClock, countingSource, rejection } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, TokenError } from '../../src/errors.ts'
import { CredentialPool, credentialPool } from '../../src/pool/credential-pool.ts'
import type { CredentialPoolOptions, CredentialTemplate } from '../../src/pool/pool-options.ts'
import type { TokenSource } from '../../src/source.ts'
import { MemoryStore } from '../../src/stores/memory-store.ts'

const pools: CredentialPool[] = []
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()))
})

/** A pool closed after the test; `max` 100 and a manual clock unless told otherwise. */
function pool(template: CredentialTemplate, options: Partial<CredentialPoolOptions> = {}): CredentialPool {
  const made = credentialPool({ name: 'tenants', template, max: 100, clock: new ManualClock(), ...options })
  pools.push(made)
  return made
}

/** A source answering `<key>-<n>`: which key's token it is, and how many that key had. */
function keyedSource(key: string): TokenSource & { calls: number } {
  return countingSource({ prefix: key })
}

describe('get', () => {
  it("makes a key's manager at its first use, from template(key), and returns that same instance while it is kept", () => {
    const template = vi.fn((key: string) => ({ source: keyedSource(key) }))
    const tenants = pool(template)
    const contoso = tenants.get('contoso')
    expect(tenants.get('contoso')).toBe(contoso)
    expect(template).toHaveBeenCalledTimes(1)
    expect(template).toHaveBeenCalledWith('contoso')
    expect(contoso.name).toBe('tenants:contoso')
    expect(tenants.get('fabrikam')).not.toBe(contoso)
    expect(template).toHaveBeenCalledTimes(2)
    expect(tenants.stats()).toMatchObject({ size: 2, created: 2, hits: 1 })
  })

  it("makes lazy managers on the pool's clock, holding no timer, unless the template says otherwise", async () => {
    const clock = new ManualClock()
    const sources = new Map<string, ReturnType<typeof keyedSource>>()
    const tenants = pool(
      (key) => {
        const source = keyedSource(key)
        sources.set(key, source)
        return key === 'eager' ? { source, prefetch: 'async' } : { source }
      },
      { clock },
    )
    for (let i = 0; i < 50; i++) tenants.get(`tenant-${i}`)
    await clock.advance(0)
    expect(clock.pending).toBe(0)
    expect([...sources.values()].every((source) => source.calls === 0)).toBe(true)
    await tenants.get('tenant-1').getToken()
    expect(clock.pending).toBe(0)
    tenants.get('eager')
    await clock.advance(0)
    expect(sources.get('eager')?.calls).toBe(1)
  })

  it('gives each key its own token, even from one shared source', async () => {
    const shared = countingSource()
    const tenants = pool(() => ({ source: shared }))
    const [a, b, a2] = await Promise.all([tenants.get('a').getToken(), tenants.get('b').getToken(), tenants.get('a').getToken()])
    expect(shared.calls).toBe(2)
    expect(a?.accessToken).not.toBe(b?.accessToken)
    expect(a2).toBe(a)
  })

  it('stores each key under its own store key, whatever name or storeKey the template returns', async () => {
    const store = new MemoryStore()
    const template = (key: string): ReturnType<CredentialTemplate> =>
      ({ source: keyedSource(key), store, name: 'shared', storeKey: 'shared' }) as ReturnType<CredentialTemplate>
    const tenants = pool(template)
    await tenants.get('a').getToken()
    await tenants.get('b').getToken()
    expect(tenants.get('a').name).toBe('tenants:a')
    expect((await store.get('tenants:a'))?.accessToken).toBe('a-1')
    expect((await store.get('tenants:b'))?.accessToken).toBe('b-1')
    expect(await store.get('shared')).toBeUndefined()
    await tenants.delete('a')
    expect((await tenants.get('a').getToken()).accessToken).toBe('a-1')
  })

  it('takes keys exactly as given: no trimming, case folding or Unicode normalisation', async () => {
    const keys = ['contoso', 'Contoso', ' contoso', 'contoso ', 'caf\u00e9', 'cafe\u0301', 'a:b']
    const template = vi.fn((key: string) => ({ source: keyedSource(encodeURIComponent(key)) }))
    const tenants = pool(template)
    const managers = keys.map((key) => tenants.get(key))
    expect(new Set(managers).size).toBe(keys.length)
    expect(template.mock.calls.map(([key]) => key)).toEqual(keys)
    expect(managers.map((manager) => manager.name)).toEqual(keys.map((key) => `tenants:${key}`))
    const tokens = await Promise.all(managers.map((manager) => manager.getToken()))
    expect(tokens.map((token) => token.accessToken)).toEqual(keys.map((key) => `${encodeURIComponent(key)}-1`))
    expect(tenants.has('CONTOSO')).toBe(false)
  })

  it.each([[''], [undefined], [null], [42], [{}], [['a']]])('refuses the key %j with a coded TypeError, and makes nothing', (key) => {
    const template = vi.fn((k: string) => ({ source: keyedSource(k) }))
    const tenants = pool(template)
    const error = (() => {
      try {
        tenants.get(key as string)
      } catch (thrown) {
        return thrown as TypeError & { code: string; option: string }
      }
      throw new Error('expected a throw')
    })()
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'key' })
    expect(template).not.toHaveBeenCalled()
    expect(tenants.has(key as string)).toBe(false)
    expect(tenants.stats().size).toBe(0)
  })

  it('replaces a manager closed by hand at the next get', async () => {
    const tenants = pool((key) => ({ source: keyedSource(key) }))
    const first = tenants.get('a')
    await first.close()
    const second = tenants.get('a')
    expect(second).not.toBe(first)
    expect(second.closed).toBe(false)
    expect((await second.getToken()).accessToken).toBe('a-1')
  })

  it('shares one compiled origin policy among managers with the same origins', () => {
    const tenants = pool((key) => ({
      source: keyedSource(key),
      origins: key.startsWith('eu-') ? ['https://graph.microsoft.de'] : ['https://graph.microsoft.com'],
    }))
    const [a, b, eu] = [tenants.get('a'), tenants.get('b'), tenants.get('eu-c')]
    expect(a.origins).toBe(b.origins)
    expect(eu.origins).not.toBe(a.origins)
    expect(a.origins.allows('https://graph.microsoft.com')).toBe(true)
    expect(eu.origins.allows('https://graph.microsoft.com')).toBe(false)
    expect(eu.origins.allows('https://graph.microsoft.de')).toBe(true)
  })
})

describe('template failures', () => {
  it('are coded, name the key, keep the cause, keep nothing, and do not poison the pool', async () => {
    const cause = new Error('no configuration for this tenant')
    let failing = true
    const tenants = pool((key) => {
      if (key === 'bad' && failing) throw cause
      return { source: keyedSource(key) }
    })
    const error = await rejection<TokenError>(() => tenants.get('bad'))
    expect(error).toBeInstanceOf(TokenError)
    expect(error).toMatchObject({ code: ErrorCode.TEMPLATE_FAILED, credential: 'tenants:bad', cause })
    expect(tenants.has('bad')).toBe(false)
    expect((await tenants.get('good').getToken()).accessToken).toBe('good-1')
    failing = false
    expect((await tenants.get('bad').getToken()).accessToken).toBe('bad-1')
    expect(tenants.stats()).toMatchObject({ size: 2, created: 2, templateFailures: 1 })
  })

  it.each([
    ['a promise', () => Promise.resolve({ source: countingSource() })],
    ['undefined', () => undefined],
  ])('returning %s fails with TOKEN_TEMPLATE_FAILED', async (_, template) => {
    const tenants = pool(template as unknown as CredentialTemplate)
    expect(await rejection(() => tenants.get('a'))).toMatchObject({ code: ErrorCode.TEMPLATE_FAILED, credential: 'tenants:a' })
    expect(tenants.stats()).toMatchObject({ size: 0, templateFailures: 1 })
  })

  it('options the manager refuses fail with its own coded error, and nothing is kept', async () => {
    const tenants = pool((key) =>
      key === 'no-source'
        ? ({} as ReturnType<CredentialTemplate>)
        : key === 'plain-http'
          ? { source: keyedSource(key), origins: ['http://api.example.com'] }
          : { source: keyedSource(key), origins: ['https://api.example.com'] },
    )
    expect(await rejection(() => tenants.get('no-source'))).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'source' })
    expect(await rejection(() => tenants.get('plain-http'))).toMatchObject({ code: ErrorCode.INSECURE_TRANSPORT })
    expect(tenants.get('fine').origins.allows('https://api.example.com')).toBe(true)
    expect(tenants.stats()).toMatchObject({ size: 1, created: 1, templateFailures: 2 })
  })
})

describe('options', () => {
  const template: CredentialTemplate = (key) => ({ source: keyedSource(key) })
  it.each([
    ['name', { name: '' }],
    ['template', { template: 'not a function' }],
    ['max', { max: 0 }],
    ['max', { max: 1.5 }],
    ['max', { max: undefined }],
    ['idle', { idle: 0 }],
    ['idle', { idle: Number.NaN }],
    ['clock', { clock: { now: () => 0 } }],
  ])('refuses a bad %s with a coded TypeError naming it', (option, bad) => {
    const error = (() => {
      try {
        credentialPool({ name: 'tenants', template, max: 10, ...bad } as CredentialPoolOptions)
      } catch (thrown) {
        return thrown
      }
      throw new Error('expected a throw')
    })()
    expect(error).toBeInstanceOf(TypeError)
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option })
  })
})

describe('delete, iteration and stats', () => {
  it("delete closes the key's manager and the next get makes a new one", async () => {
    const tenants = pool((key) => ({ source: keyedSource(key) }))
    const first = tenants.get('a')
    await first.getToken()
    expect(await tenants.delete('a')).toBe(true)
    expect(first.closed).toBe(true)
    expect(tenants.has('a')).toBe(false)
    expect(await tenants.delete('a')).toBe(false)
    expect(await tenants.delete('never')).toBe(false)
    const second = tenants.get('a')
    expect(second).not.toBe(first)
    expect(tenants.stats()).toMatchObject({ size: 1, created: 2, deleted: 1, retiring: 0 })
  })

  it('lists keys and managers, most recently used first, without using them and without secrets', async () => {
    const tenants = pool((key) => ({ source: countingSource({ prefix: `secret-of-${key}` }) }))
    for (const key of ['a', 'b', 'c']) await tenants.get(key).getToken()
    tenants.get('a')
    expect([...tenants.keys()]).toEqual(['a', 'c', 'b'])
    expect([...tenants].map(([key, manager]) => [key, manager.name])).toEqual([
      ['a', 'tenants:a'],
      ['c', 'tenants:c'],
      ['b', 'tenants:b'],
    ])
    expect([...tenants.keys()]).toEqual(['a', 'c', 'b'])
    const shown = `${JSON.stringify(tenants)} ${inspect(tenants)} ${inspect([...tenants.entries()])}`
    expect(shown).not.toContain('secret-of-')
    expect(JSON.parse(JSON.stringify(tenants))).toMatchObject({ name: 'tenants', max: 100, size: 3, created: 3, hits: 1 })
  })
})

describe('close', () => {
  it('closes every manager, then refuses get with TOKEN_MANAGER_CLOSED', async () => {
    const clock = new ManualClock()
    const tenants = pool((key) => ({ source: keyedSource(key) }), { clock, idle: 60 })
    const managers = ['a', 'b', 'c'].map((key) => tenants.get(key))
    await managers[0]?.getToken()
    expect(clock.pending).toBe(1)
    await tenants.close()
    expect(managers.every((manager) => manager.closed)).toBe(true)
    expect(clock.pending).toBe(0)
    expect(tenants.closed).toBe(true)
    expect(tenants.has('a')).toBe(false)
    expect([...tenants.keys()]).toEqual([])
    expect(await rejection(() => tenants.get('a'))).toMatchObject({ code: ErrorCode.CLOSED })
    expect(await tenants.delete('a')).toBe(false)
    await tenants.close()
  })

  it('a closed manager still held keeps no other manager of the pool alive (nor through its closed error)', async () => {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    const tenants = pool((key) => ({ source: keyedSource(key) }), { max: 2 })
    const held = tenants.get('held')
    const evicted = new WeakRef(tenants.get('evicted'))
    for (const key of ['a', 'b', 'c']) tenants.get(key)
    const others = ['b', 'c'].map((key) => new WeakRef(tenants.get(key)))
    await tenants.close()
    await new Promise((resolve) => setImmediate(resolve))
    gc()
    expect(held.closed).toBe(true)
    expect(evicted.deref()).toBeUndefined()
    expect(others.map((other) => other.deref())).toEqual([undefined, undefined])
  })

  it('works with await using', async () => {
    let manager: ReturnType<CredentialPool['get']> | undefined
    {
      await using tenants = credentialPool({ name: 'scoped', template: (key) => ({ source: keyedSource(key) }), max: 10 })
      manager = tenants.get('a')
    }
    expect(manager.closed).toBe(true)
  })
})
