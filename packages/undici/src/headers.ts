import type { OutgoingHttpHeaders } from 'node:http'
import type { Dispatcher } from 'undici'

/** Request headers in any shape undici's `dispatch` accepts: an object, a flat array, or pairs. */
export type DispatchHeaders = Dispatcher.DispatchOptions['headers']

type Value = string | number | readonly string[] | undefined

function isAuthorization(name: unknown): boolean {
  const text = String(name)
  return text.length === 13 && text.toLowerCase() === 'authorization'
}

function isRecord(headers: NonNullable<DispatchHeaders>): headers is OutgoingHttpHeaders {
  return !Array.isArray(headers) && typeof (headers as Iterable<unknown>)[Symbol.iterator] !== 'function'
}

/** The `[name, value]` pairs of headers given as a flat array, an array of pairs, or another iterable. */
function* pairs(headers: Iterable<unknown>): Generator<readonly [unknown, Value]> {
  if (!Array.isArray(headers) || Array.isArray(headers[0])) return yield* headers as Iterable<[unknown, Value]>
  for (let i = 0; i < headers.length; i += 2) yield [headers[i], headers[i + 1]]
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
 * `headers` without any case-variant of `Authorization`, plus `authorization: value` when given.
 * The input is left as it was; an object stays an object, any other shape becomes a flat array.
 */
export function setAuthorization(headers: DispatchHeaders, value: string | undefined): DispatchHeaders {
  if (headers === null || headers === undefined) return value === undefined ? headers : { authorization: value }
  if (isRecord(headers)) {
    const result: OutgoingHttpHeaders = {}
    for (const name in headers) if (!isAuthorization(name)) result[name] = headers[name]
    if (value !== undefined) result.authorization = value
    return result
  }
  const flat: unknown[] = []
  for (const [name, header] of pairs(headers as Iterable<unknown>)) if (!isAuthorization(name)) flat.push(name, header)
  if (value !== undefined) flat.push('authorization', value)
  return flat as string[]
}
