import { expectNotLogged } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { ErrorCode, TokenError } from '../../src/errors.ts'
import { checkGrantParser, parseGrantText } from '../../src/sources/parse-grant.ts'

const SECRET = 'pg-secret-4f1d0c9a7b'

function errorOf(fn: () => unknown): TokenError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(TokenError)
    return error as TokenError
  }
  throw new Error('expected an error')
}

describe('parseGrantText', () => {
  it('maps every snake_case field of a token endpoint answer', () => {
    const text = JSON.stringify({
      access_token: SECRET,
      token_type: 'bearer',
      expires_in: 3600,
      refresh_token: 'r',
      scope: 'a b',
      id_token: 'i',
      refresh_in: 600,
    })
    expect(parseGrantText(text, 'json', 'file')).toEqual({
      accessToken: SECRET,
      tokenType: 'bearer',
      expiresIn: 3600,
      refreshToken: 'r',
      scope: 'a b',
      idToken: 'i',
      refreshIn: 600,
    })
  })

  it('maps camelCase fields, expiresAt included', () => {
    const text = JSON.stringify({ accessToken: SECRET, tokenType: 'DPoP', expiresAt: 1_900_000_000_000, scope: ['a'] })
    expect(parseGrantText(text, 'json', 'file')).toEqual({
      accessToken: SECRET,
      tokenType: 'DPoP',
      expiresAt: 1_900_000_000_000,
      scope: ['a'],
    })
  })

  it('prefers the snake_case field when both forms are present', () => {
    const text = JSON.stringify({ access_token: 'snake', accessToken: 'camel', expires_in: 1, expiresIn: 2 })
    expect(parseGrantText(text, 'json', 'env')).toMatchObject({ accessToken: 'snake', expiresIn: 1 })
  })

  it('ignores fields that are not part of a grant, such as source', () => {
    const text = JSON.stringify({ access_token: 'a', source: 'forged', extra: true })
    expect(parseGrantText(text, 'json', 'env')).toEqual({ accessToken: 'a' })
  })

  it('passes a string expires_in through unchanged, for normalizeGrant to reject', () => {
    expect(parseGrantText('{"access_token":"a","expires_in":"3600"}', 'json', 'env').expiresIn).toBe('3600')
  })

  it('reads JSON when the text starts with "{" and no parser is given, text otherwise', () => {
    expect(parseGrantText('  {"access_token":"a"}\n', undefined, 'file')).toEqual({ accessToken: 'a' })
    expect(parseGrantText(`  ${SECRET}\n`, undefined, 'file')).toEqual({ accessToken: SECRET })
  })

  it('trims text and keeps it whole', () => {
    expect(parseGrantText(`\n${SECRET}\r\n`, 'text', 'env')).toEqual({ accessToken: SECRET })
    expect(parseGrantText('{"not":"parsed"}', 'text', 'env')).toEqual({ accessToken: '{"not":"parsed"}' })
  })

  it('rejects blank text as malformed', () => {
    const error = errorOf(() => parseGrantText(' \n', 'text', 'command'))
    expect(error.code).toBe(ErrorCode.MALFORMED)
    expect(error.transient).toBe(false)
  })

  it('rejects invalid JSON as malformed, terminal, without quoting the text', () => {
    const error = errorOf(() => parseGrantText(`{"access_token": "${SECRET}"`, 'json', 'file'))
    expect(error.code).toBe(ErrorCode.MALFORMED)
    expect(error.transient).toBe(false)
    expect(error.cause).toBeUndefined()
    expectNotLogged(error, SECRET)
  })

  it.each([
    ['an array', `["${SECRET}"]`],
    ['a string', `"${SECRET}"`],
    ['null', 'null'],
    ['an object without an access token', `{"token":"${SECRET}"}`],
    ['an object whose access token is a number', '{"access_token":42}'],
  ])('rejects JSON that is %s as malformed', (_, text) => {
    const error = errorOf(() => parseGrantText(text, 'json', 'file'))
    expect(error.code).toBe(ErrorCode.MALFORMED)
    expectNotLogged(error, SECRET)
  })

  it('calls a custom parser with the raw text', () => {
    const seen: string[] = []
    const grant = parseGrantText(' raw\n', (text) => (seen.push(text), { accessToken: 'parsed', expiresIn: 5 }), 'env')
    expect(seen).toEqual([' raw\n'])
    expect(grant).toEqual({ accessToken: 'parsed', expiresIn: 5 })
  })

  it("turns a custom parser's exception into a malformed error that does not quote it", () => {
    const error = errorOf(() => parseGrantText(SECRET, (text) => JSON.parse(text), 'file'))
    expect(error.code).toBe(ErrorCode.MALFORMED)
    expect(error.message).toContain('SyntaxError')
    expectNotLogged(error, SECRET)
  })

  it("lets a custom parser's own TokenError through", () => {
    const own = new TokenError(ErrorCode.SOURCE_UNAVAILABLE, 'not yet', { transient: true })
    expect(errorOf(() => parseGrantText('x', () => { throw own }, 'file'))).toBe(own)
  })
})

describe('checkGrantParser', () => {
  it('accepts json, text, a function and nothing', () => {
    const parse = (): { accessToken: string } => ({ accessToken: 'a' })
    expect(checkGrantParser('json')).toBe('json')
    expect(checkGrantParser('text')).toBe('text')
    expect(checkGrantParser(parse)).toBe(parse)
    expect(checkGrantParser(undefined)).toBeUndefined()
  })

  it('refuses anything else with a coded TypeError naming the option', () => {
    expect(() => checkGrantParser('yaml')).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'parse' }))
  })
})
