import { describe, expect, it } from 'vitest'
import { DPoPNonces } from '../../src/dpop/dpop-nonces.ts'
import { ErrorCode } from '../../src/errors.ts'

const origin = (i: number): string => `https://rs${i}.example.com`

describe('DPoPNonces', () => {
  it('learns an origin\'s nonce and tells when it changed', () => {
    const nonces = new DPoPNonces()
    expect(nonces.get(origin(1))).toBeUndefined()
    expect(nonces.learn(origin(1), 'n-1')).toBe(true)
    expect(nonces.learn(origin(1), 'n-1')).toBe(false)
    expect(nonces.get(origin(1))).toBe('n-1')
    expect(nonces.learn(origin(1), 'n-2')).toBe(true)
    expect(nonces.get(origin(1))).toBe('n-2')
    expect(nonces.get(origin(2))).toBeUndefined()
  })

  it('ignores a missing header and values that are not nonces (RFC 9449 NQCHAR)', () => {
    const nonces = new DPoPNonces()
    for (const value of [null, undefined, '', 'two words', 'quote"d', 'back\\slash', 'tab\t', 'é']) {
      expect(nonces.learn(origin(1), value), String(value)).toBe(false)
    }
    expect(nonces.size).toBe(0)
    expect(nonces.learn(origin(1), "!#$%&'()*+,-./09:;<=>?@AZ[]^_`az{|}~")).toBe(true)
  })

  it('keeps at most 100 origins, dropping the least recently used', () => {
    const nonces = new DPoPNonces()
    for (let i = 0; i < 100; i++) nonces.learn(origin(i), `n-${i}`)
    expect(nonces.get(origin(0))).toBe('n-0')
    nonces.learn(origin(100), 'n-100')
    expect(nonces.size).toBe(100)
    expect(nonces.get(origin(1))).toBeUndefined()
    expect(nonces.get(origin(0))).toBe('n-0')
    nonces.learn(origin(2), 'n-2b')
    for (let i = 101; i < 1000; i++) nonces.learn(origin(i), `n-${i}`)
    expect(nonces.size).toBe(100)
    expect(nonces.get(origin(999))).toBe('n-999')
    expect(nonces.get(origin(899))).toBeUndefined()
  })

  it('takes a smaller bound, and refuses a bad one with a coded error', () => {
    const nonces = new DPoPNonces({ maxOrigins: 2 })
    nonces.learn(origin(1), 'a')
    nonces.learn(origin(2), 'b')
    nonces.learn(origin(3), 'c')
    expect([nonces.get(origin(1)), nonces.get(origin(2)), nonces.get(origin(3))]).toEqual([undefined, 'b', 'c'])
    for (const maxOrigins of [0, -1, 1.5, Number.NaN]) {
      expect(() => new DPoPNonces({ maxOrigins })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'maxOrigins' }))
    }
  })

  it('starts no timer', () => {
    const before = process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length
    const nonces = new DPoPNonces()
    for (let i = 0; i < 200; i++) nonces.learn(origin(i), 'n')
    expect(process.getActiveResourcesInfo().filter((resource) => resource === 'Timeout').length).toBe(before)
  })
})
