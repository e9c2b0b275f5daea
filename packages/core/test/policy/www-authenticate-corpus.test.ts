import { describe, expect, it } from 'vitest'
import { parseWWWAuthenticate } from '../../src/policy/www-authenticate.ts'
import { corpus } from './fixtures/www-authenticate-corpus.ts'

describe('parseWWWAuthenticate on headers real servers send', () => {
  it.each(corpus)('$name', ({ header, expected }) => {
    expect(parseWWWAuthenticate(header)).toEqual(expected)
  })

  it('reads the whole corpus sent as one response, each field on its own', () => {
    const fields = corpus.flatMap(({ header }) => (typeof header === 'string' ? [header] : header))
    expect(parseWWWAuthenticate(fields)).toEqual(corpus.flatMap(({ expected }) => expected))
  })

  it('reads the whole corpus joined into one field, as fetch joins repeated fields', () => {
    const joined = corpus.flatMap(({ header }) => (typeof header === 'string' ? [header] : header)).join(', ')
    expect(parseWWWAuthenticate(joined)).toEqual(corpus.flatMap(({ expected }) => expected))
  })
})
