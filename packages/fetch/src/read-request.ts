import { type RequestView, isStreamBody } from '@tokenwarden/core/adapter'
import type { Init } from './fetch-like.ts'

/** Headers with lower-case names. */
export type HeaderRecord = Record<string, string>

/** What the wrapper reads of a `Request` input. */
export type RequestLike = Pick<Request, 'url' | 'headers' | 'body' | 'signal' | 'redirect' | 'method'>

/**
 * One fetch call's request, read once from its input and `init` as fetch reads them (a field of
 * `init` takes the place of the `Request`'s): the view core decides on, and what the wrapper sends.
 */
export interface FetchRequest extends RequestView {
  readonly url: string
  readonly method: string
  /** The `Authorization` value, whatever the case of its name; repeated ones joined, as `Headers` joins them. */
  readonly authorization: string | null
  /** The other headers, lower-case names. */
  readonly headers: HeaderRecord
  readonly body: BodyInit | null
  readonly signal: AbortSignal | undefined
  readonly redirect: RequestRedirect
  /** The rest of what to send with: the `Request`'s fields, then `init`'s. */
  readonly init: Init
}

/** The fields of a `Request` input carried over to the `init` the wrapper sends with. */
const REQUEST_FIELDS = 'method keepalive integrity signal credentials mode cache referrer referrerPolicy'.split(' ')

function isRequest(input: unknown): input is RequestLike {
  return typeof input === 'object' && input !== null && typeof (input as Request).url === 'string' && 'method' in input
}

/** Reads a fetch call's arguments (a string, a `URL` or a `Request`, and `init`). */
export function readRequest(input: string | URL | RequestLike, init: Init | undefined): FetchRequest {
  const request = isRequest(input) ? input : undefined
  const merged: Init = {}
  if (request !== undefined) for (const field of REQUEST_FIELDS) merged[field] = request[field as keyof RequestLike]
  if (init !== undefined) Object.assign(merged, init)
  const body = (init?.body !== undefined ? init.body : request?.body) ?? null
  if (isStreamBody(body)) merged.duplex = 'half'
  const { headers, authorization } = readHeaders(init?.headers ?? request?.headers)
  return {
    url: request?.url ?? String(input),
    method: merged.method ?? 'GET',
    authorization,
    headers,
    body,
    signal: merged.signal ?? undefined,
    redirect: merged.redirect ?? request?.redirect ?? 'follow',
    init: merged,
  }
}

/**
 * Headers in any shape fetch takes them (a `Headers`, pairs or a record) as a record with lower-case
 * names, `Authorization` apart; repeated names are joined with `, `, as `Headers` does.
 */
function readHeaders(init: unknown): { headers: HeaderRecord; authorization: string | null } {
  const headers: HeaderRecord = Object.create(null) as HeaderRecord
  let authorization: string | null = null
  const add = (name: string, value: unknown): void => {
    const key = name.toLowerCase()
    if (key === 'authorization') authorization = authorization === null ? String(value) : `${authorization}, ${value}`
    else headers[key] = headers[key] === undefined ? String(value) : `${headers[key]}, ${value}`
  }
  if (typeof init !== 'object' || init === null) return { headers, authorization }
  if (Symbol.iterator in init) for (const [name, value] of init as Iterable<[string, unknown]>) add(name, value)
  else for (const name of Object.keys(init)) add(name, (init as Record<string, unknown>)[name])
  return { headers, authorization }
}
