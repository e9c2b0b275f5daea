import { describe, expect, it } from 'vitest'
import { isRedactedAuthorization, redactHeaders, redactedAuthorization } from '../../src/adapter.ts'

const ours = (value: string): boolean => value === 'Bearer t0k3n' || value === 'DPoP d0p'

describe('redacted Authorization values', () => {
  it('keep the scheme and say who redacted them', () => {
    expect(redactedAuthorization('Bearer t0k3n')).toBe('Bearer [redacted by tokenwarden]')
    expect(redactedAuthorization('DPoP d0p')).toBe('DPoP [redacted by tokenwarden]')
  })

  it('are told apart from any other value', () => {
    expect(isRedactedAuthorization('Bearer [redacted by tokenwarden]')).toBe(true)
    expect(isRedactedAuthorization('DPoP [redacted by tokenwarden]')).toBe(true)
    expect(isRedactedAuthorization('Bearer t0k3n')).toBe(false)
    expect(isRedactedAuthorization('[redacted by tokenwarden]')).toBe(false)
    expect(isRedactedAuthorization('Bearer x [redacted by tokenwarden]')).toBe(false)
    expect(isRedactedAuthorization(undefined)).toBe(false)
  })
})

describe('redactHeaders', () => {
  it('redacts our value under any case of the name, arrays included, and leaves the rest', () => {
    const headers = { Authorization: 'Bearer t0k3n', AUTHORIZATION: ['DPoP d0p'], accept: 'Bearer t0k3n' }
    redactHeaders(headers, ours)
    expect(headers).toEqual({
      Authorization: 'Bearer [redacted by tokenwarden]',
      AUTHORIZATION: ['DPoP [redacted by tokenwarden]'],
      accept: 'Bearer t0k3n',
    })
  })

  it("leaves the caller's own value as it is", () => {
    const record = { authorization: 'Bearer callers-own' }
    const fetchHeaders = new Headers({ authorization: 'Bearer callers-own' })
    redactHeaders(record, ours)
    redactHeaders(fetchHeaders, ours)
    expect(record.authorization).toBe('Bearer callers-own')
    expect(fetchHeaders.get('authorization')).toBe('Bearer callers-own')
  })

  it('redacts a fetch Headers', () => {
    const headers = new Headers({ authorization: 'Bearer t0k3n' })
    redactHeaders(headers, ours)
    expect(headers.get('authorization')).toBe('Bearer [redacted by tokenwarden]')
  })
})
