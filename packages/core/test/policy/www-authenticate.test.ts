import { describe, expect, it } from 'vitest'
import { parseWWWAuthenticate } from '../../src/policy/www-authenticate.ts'

describe('parseWWWAuthenticate (RFC 7235)', () => {
  it('reads one challenge with quoted and token params', () => {
    expect(parseWWWAuthenticate('Bearer realm="example", error=invalid_token, error_description="The token expired"')).toEqual([
      { scheme: 'Bearer', params: { realm: 'example', error: 'invalid_token', error_description: 'The token expired' } },
    ])
  })

  it('reads several challenges in one header, and across several headers', () => {
    const challenges = parseWWWAuthenticate(['Basic realm="a", Bearer realm="b", error="insufficient_scope", scope="x y"', 'DPoP algs="ES256"'])
    expect(challenges.map((c) => c.scheme)).toEqual(['Basic', 'Bearer', 'DPoP'])
    expect(challenges[1]?.params).toEqual({ realm: 'b', error: 'insufficient_scope', scope: 'x y' })
    expect(challenges[2]?.params).toEqual({ algs: 'ES256' })
  })

  it('unescapes quoted strings and keeps commas and equals inside them', () => {
    const [challenge] = parseWWWAuthenticate('Bearer realm="a \\"quoted\\", with, commas=", claims="eyJ=="')
    expect(challenge?.params).toEqual({ realm: 'a "quoted", with, commas=', claims: 'eyJ==' })
  })

  it('reads token68 challenges', () => {
    expect(parseWWWAuthenticate('Negotiate YIIBOgYGKwYBBQUC==, Bearer')).toEqual([
      { scheme: 'Negotiate', params: {}, token68: 'YIIBOgYGKwYBBQUC==' },
      { scheme: 'Bearer', params: {} },
    ])
  })

  it('lower-cases parameter names but keeps the scheme as sent', () => {
    expect(parseWWWAuthenticate('bEaReR Realm="x"')).toEqual([{ scheme: 'bEaReR', params: { realm: 'x' } }])
  })

  it('accepts spaces around "=" and empty list elements', () => {
    expect(parseWWWAuthenticate(' , Bearer  realm = "x" ,, error = invalid_token , ')).toEqual([
      { scheme: 'Bearer', params: { realm: 'x', error: 'invalid_token' } },
    ])
  })

  it('is lenient with malformed input, keeping what it read before the damage', () => {
    expect(parseWWWAuthenticate('Bearer realm="unterminated')).toEqual([{ scheme: 'Bearer', params: {} }])
    expect(parseWWWAuthenticate('')).toEqual([])
    expect(parseWWWAuthenticate(undefined)).toEqual([])
    expect(parseWWWAuthenticate(null)).toEqual([])
    expect(parseWWWAuthenticate('"bogus"')).toEqual([])
  })

  it('does not let a parameter named __proto__ pollute anything', () => {
    const [challenge] = parseWWWAuthenticate('Bearer __proto__="x", realm="y"')
    expect(challenge?.params.realm).toBe('y')
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })
})
