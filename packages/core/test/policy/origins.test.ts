import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import { OriginPolicy, isLoopbackHost } from '../../src/policy/origins.ts'

const policy = new OriginPolicy({
  origins: ['https://api.example.com', 'https://*.svc.example.com', 'https://alt.example.com:8443', 'http://127.0.0.1:3000'],
})

describe('OriginPolicy', () => {
  it.each([
    ['https://api.example.com', true],
    ['https://api.example.com:443', true],
    ['https://API.Example.com', true],
    ['http://api.example.com', false],
    ['https://api.example.com:444', false],
    ['https://api.example.com.evil.test', false],
    ['https://evilapi.example.com', false],
    ['https://a.svc.example.com', true],
    ['https://a.b.svc.example.com', true],
    ['https://svc.example.com', false],
    ['https://a.svc.example.com:8443', false],
    ['https://xsvc.example.com', false],
    ['https://alt.example.com:8443', true],
    ['https://alt.example.com', false],
    ['http://127.0.0.1:3000', true],
    ['http://127.0.0.1:3001', false],
    ['https://user:pass@api.example.com', true],
    ['not a url', false],
    ['data:text/plain,hi', false],
  ])('%s → %s', (origin, expected) => {
    expect(policy.allows(origin)).toBe(expected)
  })

  it('accepts URL objects', () => {
    expect(policy.allows(new URL('https://api.example.com/x?y'))).toBe(true)
  })

  it.each(['api.example.com', 'ftp://api.example.com', 'https://api.example.com/path', 'https://*', 'https://a.*.example.com', 42])(
    'rejects the pattern %s with a coded TypeError',
    (pattern) => {
      expect(() => new OriginPolicy({ origins: [pattern as string] })).toThrow(
        expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'origins[0]' }),
      )
    },
  )

  it('refuses plain-http origins that are not loopback, wildcards included, unless opted in', () => {
    for (const origin of ['http://api.example.com', 'http://*.example.com', 'http://10.0.0.1']) {
      expect(() => new OriginPolicy({ origins: [origin] })).toThrow(expect.objectContaining({ code: ErrorCode.INSECURE_TRANSPORT }))
      expect(new OriginPolicy({ origins: [origin], dangerouslyAllowInsecureHttp: true }).empty).toBe(false)
    }
  })

  it('knows loopback hosts', () => {
    for (const host of ['localhost', 'api.localhost', '127.0.0.1', '127.1.2.3', '[::1]']) expect(isLoopbackHost(host)).toBe(true)
    for (const host of ['localhost.example.com', '128.0.0.1', '10.0.0.1', '[::2]', '127.0.0.1.nip.io']) expect(isLoopbackHost(host)).toBe(false)
  })
})
