import { countingSource } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { CredentialRegistry, credentials } from '../src/credential-registry.ts'
import { ErrorCode } from '../src/errors.ts'

const registry = new CredentialRegistry()
afterEach(() => registry.close())

describe('CredentialRegistry', () => {
  it('registers, finds and deletes credentials, closing what it deletes', async () => {
    const m = registry.register('graph', { source: countingSource(), prefetch: 'lazy', origins: ['https://graph.example'] })
    expect(m.name).toBe('graph')
    expect(registry.get('graph')).toBe(m)
    expect(registry.has('graph')).toBe(true)
    expect(registry.resolve('graph')).toBe(m)
    expect(registry.resolve(m)).toBe(m)
    expect(registry.names()).toEqual(['graph'])
    expect(await registry.delete('graph')).toBe(true)
    expect(m.closed).toBe(true)
    expect(await registry.delete('graph')).toBe(false)
  })

  it('refuses a duplicate name and an unknown one with codes', () => {
    registry.register('a', { source: countingSource(), prefetch: 'lazy' })
    expect(() => registry.register('a', { source: countingSource() })).toThrow(
      expect.objectContaining({ code: ErrorCode.CREDENTIAL_EXISTS }),
    )
    expect(() => registry.resolve('nope')).toThrow(expect.objectContaining({ code: ErrorCode.UNKNOWN_CREDENTIAL }))
  })

  it('close() closes every manager', async () => {
    const a = registry.register('a', { source: countingSource(), prefetch: 'lazy' })
    const b = registry.register('b', { source: countingSource(), prefetch: 'lazy' })
    await registry.close()
    expect([a.closed, b.closed]).toEqual([true, true])
    expect(registry.names()).toEqual([])
  })

  it('keeps the default registry on globalThis, shared by every copy of the package', async () => {
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('tokenwarden.credentials')]).toBe(credentials)
    vi.resetModules()
    const copy = await import('../src/credential-registry.ts')
    expect(copy.credentials).toBe(credentials)
    expect(copy.CredentialRegistry).not.toBe(CredentialRegistry)
  })
})
