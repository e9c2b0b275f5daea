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

  it("reads Graph's CAE challenge whose unquoted authorization_uri used to end the parse at 'https'", () => {
    const header =
      'Bearer realm="", authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, error="insufficient_claims", claims="eyJ9=="'
    expect(parseWWWAuthenticate(header)).toEqual([
      {
        scheme: 'Bearer',
        params: {
          realm: '',
          authorization_uri: 'https://login.microsoftonline.com/common/oauth2/authorize',
          error: 'insufficient_claims',
          claims: 'eyJ9==',
        },
      },
    ])
  })

  it('reads an unquoted value to the next comma, keeping inner spaces and dropping outer ones', () => {
    expect(parseWWWAuthenticate('Bearer error_description= The token expired\t, error=invalid_token, uri=https://a/?x=1&y="2"')).toEqual([
      { scheme: 'Bearer', params: { error_description: 'The token expired', error: 'invalid_token', uri: 'https://a/?x=1&y="2"' } },
    ])
  })

  it('after a comma, reads "name=" as a param and anything else as the next challenge', () => {
    expect(parseWWWAuthenticate('Bearer realm=https://a/b, scope = x, Basic realm="c", Negotiate, DPoP algs=ES256')).toEqual([
      { scheme: 'Bearer', params: { realm: 'https://a/b', scope: 'x' } },
      { scheme: 'Basic', params: { realm: 'c' } },
      { scheme: 'Negotiate', params: {} },
      { scheme: 'DPoP', params: { algs: 'ES256' } },
    ])
  })

  it('forgives a missing comma before "name=", and before a new challenge after a quoted value', () => {
    expect(parseWWWAuthenticate('Bearer authorization_uri=https://login/authorize resource_id=https://storage.azure.com')).toEqual([
      { scheme: 'Bearer', params: { authorization_uri: 'https://login/authorize', resource_id: 'https://storage.azure.com' } },
    ])
    expect(parseWWWAuthenticate('Bearer realm="a" error="b" Basic realm="c"')).toEqual([
      { scheme: 'Bearer', params: { realm: 'a', error: 'b' } },
      { scheme: 'Basic', params: { realm: 'c' } },
    ])
  })

  it('reads "name=" followed by params as an empty value, and alone as a token68', () => {
    expect(parseWWWAuthenticate('Bearer realm=, error=invalid_token')).toEqual([
      { scheme: 'Bearer', params: { realm: '', error: 'invalid_token' } },
    ])
    expect(parseWWWAuthenticate('Basic abc=, Bearer realm="x"')).toEqual([
      { scheme: 'Basic', params: {}, token68: 'abc=' },
      { scheme: 'Bearer', params: { realm: 'x' } },
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
