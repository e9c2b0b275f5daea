import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import { OriginPolicy, isLoopbackHost, originOf } from '../../src/policy/origins.ts'
import { isPublicSuffix } from '../../src/policy/public-suffix.ts'

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
    ['http://api.localhost:3000', false],
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

  it.each([
    ['localhost', true],
    ['LOCALHOST', true],
    ['127.0.0.1', true],
    ['127.0.0.2', true],
    ['127.1.2.3', true],
    ['127.255.255.254', true],
    ['[::1]', true],
    ['::1', true],
    ['api.localhost', false],
    ['foo.localhost', false],
    ['localhost.', false],
    ['localhost.example.com', false],
    ['127.0.0.1.nip.io', false],
    ['127.0.0.256', false],
    ['128.0.0.1', false],
    ['10.0.0.1', false],
    ['[::2]', false],
    ['[::ffff:7f00:1]', false],
  ])('isLoopbackHost(%s) → %s: localhost, 127.0.0.0/8 and ::1 exactly', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected)
  })
})

describe('OriginPolicy.allowsUrl, the per-request check of a URL string', () => {
  /** A policy whose last allowed origin is `https://api.example.com`. */
  const primed = (): OriginPolicy => {
    const fresh = new OriginPolicy({ origins: ['https://api.example.com', 'https://*.svc.example.com'] })
    expect(fresh.allowsUrl('https://api.example.com/first')).toBe(true)
    return fresh
  }

  it.each([
    ['https://api.example.com', true],
    ['https://api.example.com/', true],
    ['https://api.example.com?q=1', true],
    ['https://api.example.com#top', true],
    ['https://api.example.com/v1/me?x=https://evil.example.net', true],
    ['https://api.example.com.evil.example.net/x', false],
    ['https://api.example.com@evil.example.net/x', false],
    ['https://api.example.com:8443/x', false],
    ['https://api.example.com:443/x', true],
    ['https://api.example.comx/', false],
    ['https://api.example.com\\@evil.example.net/', true], // WHATWG URL: a backslash is a slash here, the host is api.example.com
    ['http://api.example.com/x', false],
    ['https://a.svc.example.com/x', true],
  ])('answers %s → %s right after an allowed URL of that origin', (url, expected) => {
    expect(primed().allowsUrl(url)).toBe(expected)
  })

  it('always answers as allows(originOf(url)), whatever came before', () => {
    const origins = ['https://api.example.com', 'https://api.example.com:8443', 'https://a.svc.example.com', 'http://127.0.0.1:3000', 'https://evil.example.net']
    const tails = ['', '/', '/x', '?q', '#f', '.evil.example.net/', '@evil.example.net/', ':443/', 'x', '\\x', ':8443']
    const url = fc.tuple(fc.constantFrom(...origins), fc.constantFrom(...tails), fc.string({ maxLength: 6 })).map(([o, t, r]) => `${o}${t}${r}`)
    fc.assert(
      fc.property(fc.array(url, { minLength: 1, maxLength: 20 }), (urls) => {
        const fast = new OriginPolicy({ origins: ['https://api.example.com', 'https://*.svc.example.com', 'http://127.0.0.1:3000'] })
        const reference = new OriginPolicy({ origins: ['https://api.example.com', 'https://*.svc.example.com', 'http://127.0.0.1:3000'] })
        for (const u of urls) expect(fast.allowsUrl(u)).toBe(reference.allows(originOf(u)))
      }),
      { numRuns: 500 },
    )
  })
})

describe('origin patterns: refused and accepted', () => {
  /** The error thrown for `pattern` given third, as `origins[2]`. */
  function refusal(pattern: string, options: { dangerouslyAllowInsecureHttp?: boolean } = {}): unknown {
    try {
      new OriginPolicy({ origins: ['https://a.example.com', 'https://*.b.example.com', pattern], ...options })
    } catch (error) {
      return error
    }
    return undefined
  }

  it.each([
    ['https://*.com'],
    ['https://*.co.uk'],
    ['https://*.com.au'],
    ['https://*.ne.jp'],
    ['https://*.gov.br'],
    ['https://*.uk'],
    ['https://*.dev'],
    ['https://*.com.'],
    ['https://*.COM'],
    ['https://*.github.io'],
    ['https://*.herokuapp.com'],
    ['https://*.azurewebsites.net'],
    ['https://*.com:8443'],
    ['http://*.com'],
  ])('refuses the public-suffix wildcard %s, naming origins[2]', (pattern) => {
    expect(refusal(pattern, { dangerouslyAllowInsecureHttp: true })).toMatchObject({
      name: 'TypeError',
      code: ErrorCode.INVALID_OPTION,
      option: 'origins[2]',
    })
  })

  it.each([['https://*.10.0.0.1'], ['https://*.127.0.0.1'], ['https://*.[::1]']])('refuses the IP wildcard %s', (pattern) => {
    expect(refusal(pattern)).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'origins[2]' })
  })

  it.each([
    ['https://alice:s3cr3t-pw@api.example.com'],
    ['https://alice@api.example.com'],
    ['https://:s3cr3t-pw@api.example.com'],
    ['https://alice:s3cr3t-pw@*.example.com'],
    ['http://alice:s3cr3t-pw@localhost:3000'],
  ])('refuses the credentials in %s without quoting them', (pattern) => {
    const error = refusal(pattern)
    expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'origins[2]' })
    expect(String((error as Error).message)).not.toContain('s3cr3t-pw')
    expect(String((error as Error).message)).not.toContain('alice')
  })

  it.each([
    ['https://api.example.com/path'],
    ['https://api.example.com/path/'],
    ['https://api.example.com//'],
    ['https://api.example.com?'],
    ['https://api.example.com/?q=1'],
    ['https://api.example.com#'],
    ['https://api.example.com/#frag'],
    ['https://api.example.com\\path'],
    ['https://api.exa mple.com'],
    ['https://api.exa\tmple.com'],
    ['https://api.ex%61mple.com'],
    ['https://*.example.com/x'],
  ])('refuses %s: a path other than /, a query, a fragment or a mangled host', (pattern) => {
    expect(refusal(pattern)).toMatchObject({ code: ErrorCode.INVALID_OPTION, option: 'origins[2]' })
  })

  it('names the option it was given', () => {
    expect(() => new OriginPolicy({ origins: ['https://*.co.uk'], optionName: 'allowedOrigins' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'allowedOrigins[0]' }),
    )
  })

  it.each([
    ['http://api.localhost:3000'],
    ['http://foo.localhost'],
    ['http://*.localhost:8080'],
    ['http://localhost.example.com'],
    ['http://127.0.0.1.nip.io'],
    ['http://[::2]'],
    ['http://10.0.0.1'],
  ])('refuses the plain-http origin %s that is not loopback with TOKEN_INSECURE_TRANSPORT', (pattern) => {
    expect(refusal(pattern)).toMatchObject({ code: ErrorCode.INSECURE_TRANSPORT })
  })

  it.each([
    ['http://[::1]:8080', 'http://[::1]:8080'],
    ['http://127.0.0.2', 'http://127.0.0.2'],
    ['http://127.255.255.254:1', 'http://127.255.255.254:1'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://LOCALHOST:3000/', 'http://localhost:3000'],
    ['https://api.example.com/', 'https://api.example.com'],
    ['https://*.example.com', 'https://a.example.com'],
    ['https://*.example.co.uk', 'https://api.example.co.uk'],
    ['https://*.example.com.au', 'https://api.example.com.au'],
    ['https://*.example.io', 'https://api.example.io'],
    ['https://*.myapp.herokuapp.com', 'https://eu.myapp.herokuapp.com'],
    ['https://*.localhost', 'https://api.localhost'],
    ['https://*.example.com:8443', 'https://a.example.com:8443'],
    ['https://co.uk', 'https://co.uk'],
    ['https://*.web.de', 'https://mail.web.de'],
  ])('accepts %s (allows %s)', (pattern, origin) => {
    const policy = new OriginPolicy({ origins: [pattern] })
    expect(policy.allows(origin)).toBe(true)
  })

  it('accepts a plain-http wildcard under localhost, and any plain-http host, only with the insecure opt-in', () => {
    for (const pattern of ['http://*.localhost:8080', 'http://api.localhost:8080', 'http://10.0.0.1']) {
      expect(new OriginPolicy({ origins: [pattern], dangerouslyAllowInsecureHttp: true }).empty).toBe(false)
    }
  })

  it.each([
    ['com', true],
    ['co.uk', true],
    ['com.au', true],
    ['ac.jp', true],
    ['github.io', true],
    ['com.', true],
    ['example.com', false],
    ['example.co.uk', false],
    ['co.example', false],
    ['example.com.au', false],
    ['google.co', false],
    ['bbc.co', false],
    ['web.de', false],
    ['gob.mx', true],
    ['ac.za', true],
  ])('isPublicSuffix(%s) → %s', (hostname, expected) => {
    expect(isPublicSuffix(hostname)).toBe(expected)
  })
})
