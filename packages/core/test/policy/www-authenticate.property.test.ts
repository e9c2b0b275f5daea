import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Challenge, parseWWWAuthenticate } from '../../src/policy/www-authenticate.ts'

/** A generated challenge, with the spelling choices the serialiser makes for it. */
interface Generated {
  readonly scheme: string
  readonly token68?: string
  /** `quoted`: sent as a quoted string; `eq`: how `=` is spelled, with optional whitespace around it. */
  readonly params: readonly { readonly name: string; readonly value: string; readonly quoted: boolean; readonly eq: string }[]
  /** Between the scheme and what follows it. */
  readonly space: string
}

const TCHARS = [..."!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]
const TOKEN68_CHARS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~+/']
/** Visible ASCII but the comma: what an unquoted value may hold in practice (URLs, base64 with padding). */
const UNQUOTED_CHARS = [...Array(0x7e - 0x20).keys()].map((i) => String.fromCharCode(0x21 + i)).filter((c) => c !== ',')

const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 })
const token68 = fc
  .tuple(fc.string({ unit: fc.constantFrom(...TOKEN68_CHARS), minLength: 1, maxLength: 40 }), fc.constantFrom('', '=', '=='))
  .map(([body, padding]) => body + padding)
/** Never starts with a quote, which would make it a quoted string. */
const unquoted = fc
  .string({ unit: fc.constantFrom(...UNQUOTED_CHARS), minLength: 1, maxLength: 40 })
  .filter((value) => !value.startsWith('"'))
/** Any short text, rich in the characters that matter to the grammar. */
const anyText = fc.string({
  unit: fc.oneof(fc.constantFrom('"', '\\', ',', '=', ' ', '\t'), fc.string({ minLength: 1, maxLength: 1 })),
  maxLength: 30,
})

/** Quoted strings carry anything; an empty value is always quoted (`realm=` alone reads as a token68). */
const param = fc.oneof(
  fc.record({ name: token, value: token, quoted: fc.boolean(), eq: fc.constantFrom('=', ' = ') }),
  fc.record({ name: token, value: unquoted, quoted: fc.boolean(), eq: fc.constantFrom('=', ' =', '= ') }),
  fc.record({ name: token, value: anyText, quoted: fc.constant(true), eq: fc.constantFrom('=', ' = ') }),
)

const challenge: fc.Arbitrary<Generated> = fc.oneof(
  fc.record({
    scheme: token,
    params: fc.uniqueArray(param, { maxLength: 5, selector: (p) => p.name.toLowerCase() }),
    space: fc.constantFrom(' ', '  '),
  }),
  fc.record({ scheme: token, token68, params: fc.constant([]), space: fc.constantFrom(' ', '  ') }),
)

/** Between list elements: a comma with optional whitespace around it, and sometimes an empty element. */
const separator = fc.constantFrom(', ', ',', ' , ', ',\t', ', , ')

function quote(value: string): string {
  return `"${value.replace(/[\\"]/g, (char) => `\\${char}`)}"`
}

/** The reference serialiser: RFC 7235 syntax, plus the unquoted non-token values real servers send. */
function serialise(challenges: readonly Generated[], separators: readonly string[]): string {
  const elements = challenges.flatMap(({ scheme, token68, params, space }) => {
    if (token68 !== undefined) return [`${scheme}${space}${token68}`]
    const [first, ...rest] = params.map(({ name, value, quoted, eq }) => `${name}${eq}${quoted || value === '' ? quote(value) : value}`)
    return first === undefined ? [scheme] : [`${scheme}${space}${first}`, ...rest]
  })
  return elements.map((element, i) => (i === 0 ? element : `${separators[i % separators.length]}${element}`)).join('')
}

function expected(challenges: readonly Generated[]): Challenge[] {
  return challenges.map(({ scheme, token68, params }) => {
    const read: Record<string, string> = Object.create(null)
    for (const { name, value } of params) read[name.toLowerCase()] = value
    return token68 === undefined ? { scheme, params: read } : { scheme, params: read, token68 }
  })
}

describe('parseWWWAuthenticate (property-based)', () => {
  it('reads back any list of challenges the reference serialiser writes', () => {
    fc.assert(
      fc.property(fc.array(challenge, { maxLength: 5 }), fc.array(separator, { minLength: 1, maxLength: 4 }), (challenges, separators) => {
        expect(parseWWWAuthenticate(serialise(challenges, separators))).toEqual(expected(challenges))
      }),
    )
  })

  it('reads challenges spread over several fields as it reads them in one', () => {
    fc.assert(
      fc.property(fc.array(fc.array(challenge, { minLength: 1, maxLength: 3 }), { maxLength: 4 }), (fields) => {
        const values = fields.map((field) => serialise(field, [', ']))
        expect(parseWWWAuthenticate(values)).toEqual(expected(fields.flat()))
        expect(parseWWWAuthenticate(values.join(', '))).toEqual(expected(fields.flat()))
      }),
    )
  })

  it('never throws, and keeps every scheme and name a token, whatever the input', () => {
    const isToken = (text: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(text)
    fc.assert(
      fc.property(fc.oneof(fc.string(), anyText, fc.array(anyText, { maxLength: 3 })), (header) => {
        for (const { scheme, params } of parseWWWAuthenticate(header)) {
          expect(isToken(scheme)).toBe(true)
          expect(Object.keys(params).every(isToken)).toBe(true)
        }
      }),
    )
  })
})
