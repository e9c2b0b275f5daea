import { ErrorCode, TokenError, invalidOption, isTokenError } from '../errors.ts'
import type { TokenGrant } from '../source.ts'

/**
 * How a source turns the text it read into a grant:
 * - `'text'`: the whole text, trimmed, is the access token;
 * - `'json'`: a token-endpoint-like JSON object (`access_token`, `expires_in`, … or their camelCase forms);
 * - a function: your own parser, given the raw text.
 *
 * When absent, text that starts with `{` is read as JSON, anything else as text.
 */
export type GrantParser = 'json' | 'text' | ((text: string) => TokenGrant)

/** JSON field names read for each grant field: the token endpoint's snake_case first, then camelCase. */
const FIELDS: ReadonlyArray<readonly [keyof TokenGrant, ...string[]]> = [
  ['accessToken', 'access_token'],
  ['tokenType', 'token_type'],
  ['expiresIn', 'expires_in'],
  ['expiresAt'],
  ['refreshIn', 'refresh_in'],
  ['refreshToken', 'refresh_token'],
  ['scope'],
  ['idToken', 'id_token'],
]

/**
 * Checks a `parse` option at the public boundary.
 * @throws a coded `TypeError` naming `parse` when it is neither `'json'`, `'text'` nor a function.
 */
export function checkGrantParser(parse: unknown): GrantParser | undefined {
  if (parse === undefined || parse === 'json' || parse === 'text' || typeof parse === 'function') {
    return parse as GrantParser | undefined
  }
  throw invalidOption('parse', "'json', 'text' or a function (text) => grant")
}

/**
 * Turns the text a source read (a variable, a file, a command's output) into a grant. Rules:
 * - values are passed through as they are (a string `expires_in` stays a string), so that
 *   `normalizeGrant` rejects bad ones with {@link ErrorCode.MALFORMED};
 * - an error never holds the text, not even as `cause` (a `SyntaxError` quotes its input);
 * - a custom parser's own {@link TokenError} passes through; anything else it throws becomes a
 *   {@link ErrorCode.MALFORMED} error that names only the thrown error's class.
 *
 * @param sourceKind - the source's kind, for messages (`env`, `file`, `command`).
 * @example
 * ```ts
 * parseGrantText('{"access_token":"abc","expires_in":3600}', undefined, 'file') // { accessToken: 'abc', expiresIn: 3600 }
 * ```
 */
export function parseGrantText(text: string, parse: GrantParser | undefined, sourceKind: string): TokenGrant {
  if (typeof parse === 'function') return runCustomParser(parse, text, sourceKind)
  const trimmed = text.trim()
  const format = parse ?? (trimmed.startsWith('{') ? 'json' : 'text')
  if (format === 'json') return grantFromJson(trimmed, sourceKind)
  if (trimmed.length === 0) throw malformed(`the ${sourceKind} source produced an empty token`)
  return { accessToken: trimmed }
}

function grantFromJson(text: string, sourceKind: string): TokenGrant {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw malformed(`the ${sourceKind} source produced text that is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`the ${sourceKind} source produced JSON that is not an object`)
  }
  const json = value as Record<string, unknown>
  const grant: Record<string, unknown> = {}
  for (const [field, ...aliases] of FIELDS) {
    const name = [...aliases, field].find((key) => Object.hasOwn(json, key) && json[key] !== undefined)
    if (name !== undefined) grant[field] = json[name]
  }
  if (typeof grant.accessToken !== 'string' || grant.accessToken.length === 0) {
    throw malformed(`the ${sourceKind} source produced JSON without an "access_token" string`)
  }
  return grant as unknown as TokenGrant
}

function runCustomParser(parse: (text: string) => TokenGrant, text: string, sourceKind: string): TokenGrant {
  try {
    return parse(text)
  } catch (error) {
    if (isTokenError(error)) throw error
    const name = error instanceof Error ? error.name : typeof error
    throw malformed(`the custom parser of the ${sourceKind} source threw (${name})`)
  }
}

function malformed(message: string): TokenError {
  return new TokenError(ErrorCode.MALFORMED, message, { transient: false })
}
