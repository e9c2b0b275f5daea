import { describe, expect, it } from 'vitest'
import { getAuthorization, setAuthHeaders } from '../src/headers.ts'

describe('getAuthorization', () => {
  it.each([
    ['an object', { 'x-a': '1', AuthoriZation: 'Bearer a' }],
    ['an object with a list value', { authorization: ['Bearer a', 'Bearer b'] }],
    ['a flat array', ['x-a', '1', 'AUTHORIZATION', 'Bearer a']],
    ['a flat array of Buffers', [Buffer.from('Authorization'), Buffer.from('Bearer a')]],
    ['pairs', [['x-a', '1'], ['authorization', 'Bearer a']]],
    ['a Map', new Map([['Authorization', 'Bearer a']])],
  ])('reads the first value from %s, whatever the case', (_, headers) => {
    expect(getAuthorization(headers as never)).toBe('Bearer a')
  })

  it('finds none in empty or absent headers', () => {
    expect(getAuthorization(undefined)).toBeUndefined()
    expect(getAuthorization(null)).toBeUndefined()
    expect(getAuthorization({ 'x-authorization': 'no' })).toBeUndefined()
    expect(getAuthorization([])).toBeUndefined()
  })
})

describe('setAuthHeaders', () => {
  it('removes every case-variant from an object and sets one, leaving the input as it was', () => {
    const headers = { Authorization: 'a', AUTHORIZATION: 'b', 'x-a': '1' }
    expect(setAuthHeaders(headers, 'Bearer t')).toEqual({ 'x-a': '1', authorization: 'Bearer t' })
    expect(headers).toEqual({ Authorization: 'a', AUTHORIZATION: 'b', 'x-a': '1' })
  })

  it.each([
    ['a flat array', ['x-a', '1', 'Authorization', 'a', 'authorization', 'b']],
    ['pairs', [['x-a', '1'], ['Authorization', 'a'], ['authorization', 'b']]],
    ['a Map', new Map([['x-a', '1'], ['AUTHORIZATION', 'a']])],
  ])('turns %s into a flat array with one authorization', (_, headers) => {
    expect(setAuthHeaders(headers as never, 'Bearer t')).toEqual(['x-a', '1', 'authorization', 'Bearer t'])
  })

  it('only removes when no value is given', () => {
    expect(setAuthHeaders({ authorization: 'a', 'x-a': '1' }, undefined)).toEqual({ 'x-a': '1' })
    expect(setAuthHeaders(['authorization', 'a'], undefined)).toEqual([])
    expect(setAuthHeaders(undefined, undefined)).toBeUndefined()
    expect(setAuthHeaders(null, 'Bearer t')).toEqual({ authorization: 'Bearer t' })
  })

  it('removes every case-variant of DPoP too, and sets a proof when given', () => {
    expect(setAuthHeaders({ DPoP: 'old', Authorization: 'DPoP a', 'x-a': '1' }, 'DPoP b', 'proof')).toEqual({
      'x-a': '1',
      authorization: 'DPoP b',
      dpop: 'proof',
    })
    expect(setAuthHeaders(['dpop', 'old', 'x-a', '1'], undefined)).toEqual(['x-a', '1'])
    expect(setAuthHeaders(undefined, 'DPoP b', 'proof')).toEqual({ authorization: 'DPoP b', dpop: 'proof' })
  })
})
