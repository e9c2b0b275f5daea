import type { OutgoingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'

/** Request headers in any shape undici's `dispatch` accepts: an object, a flat array, or pairs. */
export type DispatchHeaders = Dispatcher.DispatchOptions['headers']

type Value = string | number | readonly string[] | undefined

function isAuthorization(name: unknown): boolean {
  const text = String(name)
  return text.length === 13 && text.toLowerCase() === 'authorization'
}

/** `Authorization` or `DPoP`, whatever the case: the headers a token travels in. */
function isAuthHeader(name: unknown): boolean {
  const text = String(name)
  return (text.length === 13 || text.length === 4) && AUTH_HEADERS.has(text.toLowerCase())
}

const AUTH_HEADERS: ReadonlySet<string> = new Set(['authorization', 'dpop'])

function isRecord(headers: NonNullable<DispatchHeaders>): headers is OutgoingHttpHeaders {
  return !Array.isArray(headers) && typeof (headers as Iterable<unknown>)[Symbol.iterator] !== 'function'
}

/** The `[name, value]` pairs of headers given as a flat array, an array of pairs, or another iterable. */
function* pairs(headers: Iterable<unknown>): Generator<readonly [unknown, Value]> {
  if (!Array.isArray(headers) || Array.isArray(headers[0])) return yield* headers as Iterable<[unknown, Value]>
  for (let i = 0; i < headers.length; i += 2) yield [headers[i], headers[i + 1]]
}

/** The request's headers as a record with lower-case names (repeated values joined with `, `). */
export function headerRecord(headers: DispatchHeaders): Record<string, string> {
  const record: Record<string, string> = {}
  if (headers === null || headers === undefined) return record
  const add = (name: unknown, value: Value): void => {
    if (value === undefined) return
    const key = String(name).toLowerCase()
    const text = Array.isArray(value) ? value.join(', ') : String(value)
    record[key] = record[key] === undefined ? text : `${record[key]}, ${text}`
  }
  if (isRecord(headers)) for (const name in headers) add(name, headers[name])
  else for (const [name, value] of pairs(headers as Iterable<unknown>)) add(name, value)
  return record
}

/** The request's `Authorization` value, whatever the name's case and the headers' shape. */
export function getAuthorization(headers: DispatchHeaders): string | undefined {
  if (headers === null || headers === undefined) return undefined
  let value: Value
  if (isRecord(headers)) {
    for (const name in headers) if (isAuthorization(name)) value ??= headers[name]
  } else {
    for (const [name, header] of pairs(headers as Iterable<unknown>)) if (isAuthorization(name)) value ??= header
  }
  return value === undefined ? undefined : String(Array.isArray(value) ? value[0] : value)
}

/**
 * `headers` without any case-variant of `Authorization` or `DPoP`, plus `authorization` and `dpop`
 * when given. The input is left as it was; an object stays an object, any other shape becomes a
 * flat array.
 */
export function setAuthHeaders(headers: DispatchHeaders, authorization: string | undefined, dpop?: string): DispatchHeaders {
  if (headers === null || headers === undefined) {
    if (authorization === undefined) return headers
    return dpop === undefined ? { authorization } : { authorization, dpop }
  }
  if (isRecord(headers)) {
    const result: OutgoingHttpHeaders = {}
    for (const name in headers) if (!isAuthHeader(name)) result[name] = headers[name]
    if (authorization !== undefined) result.authorization = authorization
    if (dpop !== undefined) result.dpop = dpop
    return result
  }
  const flat: unknown[] = []
  for (const [name, header] of pairs(headers as Iterable<unknown>)) if (!isAuthHeader(name)) flat.push(name, header)
  if (authorization !== undefined) flat.push('authorization', authorization)
  if (dpop !== undefined) flat.push('dpop', dpop)
  return flat as string[]
}
