import { ReadableStream } from 'node:stream/web'
import { RequestAuth, type RequestAuthOptions, type Token, type TokenManager, bufferBody, isReplayableBody } from '@tokenwarden/core'

/** What the wrapper reads of a response: any fetch implementation's `Response` has it. */
export interface FetchResponse {
  readonly status: number
  readonly headers: { get(name: string): string | null }
  readonly body: { cancel(reason?: unknown): Promise<void> } | null
}

/** A fetch function: the global `fetch`, undici's `fetch`, or any other with the same shape. */
export type FetchLike = (input: never, init?: never) => Promise<FetchResponse>

type RequestLike = Pick<Request, 'url' | 'headers' | 'body' | 'signal' | 'redirect' | 'method'>
type Init = RequestInit & { duplex?: 'half'; [option: string]: unknown }
type Send = (url: string, init: Init) => Promise<FetchResponse>
type HeaderRecord = Record<string, string>

/** One request, ready to be sent more than once. */
interface Prepared {
  readonly url: string
  readonly init: Init
  /** The request's headers but `Authorization`, lower-case names. */
  readonly headers: HeaderRecord
  readonly body: BodyInit | null
  readonly replayable: boolean
  readonly redirect: RequestRedirect
  readonly signal: AbortSignal | undefined
}

/** The fields of a `Request` input carried over to the `init` the wrapper sends with. */
const REQUEST_FIELDS = 'method keepalive integrity signal credentials mode cache referrer referrerPolicy'.split(' ')
const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']
const MAX_REDIRECTS = 20

function isRequest(input: unknown): input is RequestLike {
  return typeof input === 'object' && input !== null && typeof (input as Request).url === 'string' && 'method' in input
}

function isStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof (body as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function'
}

/**
 * A request's headers (a `Headers`, pairs or a record, as fetch takes them) as a record with
 * lower-case names, `Authorization` apart; repeated names are joined with `, `, as `Headers` does.
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

/**
 * Wraps a fetch function so that requests to the credential's origins carry its token, kept fresh,
 * and a 401 is answered by reacquiring the token and sending the request once more. Rules:
 * - a request to another origin, or with the caller's own `Authorization`, goes to `fetch` untouched;
 * - bodies are resent as they were (strings, bytes, `Blob`, `FormData`, `URLSearchParams`); a
 *   stream (a `ReadableStream` body, or a `Request`'s body) is buffered under `maxReplayBytes`,
 *   else sent as it is and its 401 returned;
 * - with `redirect: 'follow'` (the default) the wrapper follows redirects itself, up to 20, checking
 *   every hop's origin: the token never goes to an origin it may not go to;
 * - the signal of `init` or of the `Request` also ends a wait for a token.
 *
 * @example
 * ```ts
 * import { withAuth } from '@tokenwarden/fetch'
 * const graphFetch = withAuth(fetch, 'graph')
 * const res = await graphFetch('https://graph.microsoft.com/v1.0/me')
 * ```
 */
export function withAuth<F extends FetchLike>(
  fetch: F,
  credential: string | TokenManager,
  options?: RequestAuthOptions,
): F {
  if (typeof fetch !== 'function') throw new TypeError('"fetch" must be a fetch function')
  const auth = new RequestAuth(credential, options)
  const send = fetch as unknown as Send

  /** Reads the request once. */
  function prepare(url: string, request: RequestLike | undefined, init: Init, headers: HeaderRecord): Prepared {
    const merged: Init = {}
    if (request !== undefined) for (const field of REQUEST_FIELDS) merged[field] = request[field as keyof RequestLike]
    Object.assign(merged, init)
    const body = (init.body !== undefined ? init.body : request?.body) ?? null
    if (isStream(body)) merged.duplex = 'half'
    const redirect = merged.redirect ?? request?.redirect ?? 'follow'
    const replayable = isReplayableBody(body)
    return { url, init: merged, headers, body, replayable, redirect, signal: merged.signal ?? undefined }
  }

  /** `p` with its stream body buffered, when it fits under `maxReplayBytes`. */
  async function buffered(p: Prepared & { body: AsyncIterable<Uint8Array> }): Promise<Prepared> {
    const result = await bufferBody(p.body, auth.maxReplayBytes)
    const body = (result.buffered ? result.body : ReadableStream.from(result.body)) as unknown as BodyInit
    return { ...p, body, replayable: result.buffered }
  }

  /** Sends `p` with `token`, following redirects itself when the caller follows them, re-planning each hop. */
  async function sendWith(p: Prepared, token: Token): Promise<{ response: FetchResponse; used: Token | undefined }> {
    let headers: HeaderRecord | Headers = { ...p.headers, authorization: token.authorization }
    const follow = p.redirect === 'follow'
    let { url, body } = p
    let method = p.init.method ?? 'GET'
    let used: Token | undefined = token
    for (let hops = 0; ; hops++) {
      const init = { ...p.init, method, headers, body, redirect: follow ? 'manual' : p.redirect } as Init
      const response = await send(url, init)
      const location = follow && REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null
      if (location === null) {
        if (hops > 0) Object.defineProperty(response, 'redirected', { value: true })
        return { response, used }
      }
      await response.body?.cancel()
      if (hops >= MAX_REDIRECTS) throw new TypeError('fetch failed: redirect count exceeded')
      if (!(headers instanceof Headers)) headers = new Headers(headers)
      const upper = method.toUpperCase()
      if ((response.status === 303 && upper !== 'HEAD') || (response.status <= 302 && upper === 'POST')) {
        method = 'GET'
        body = null
        for (const name of BODY_HEADERS) headers.delete(name)
      } else if (body !== null && !p.replayable) {
        throw new TypeError('fetch failed: cannot follow a redirect with a streamed body')
      }
      url = new URL(location, url).href
      const plan = auth.plan(url, headers.get('authorization'))
      if (plan === 'attach') headers.set('authorization', token.authorization)
      else if (plan === 'strip') headers.delete('authorization')
      used = plan === 'attach' ? token : undefined
    }
  }

  async function authFetch(input: string | URL | RequestLike, init?: Init): Promise<FetchResponse> {
    const request = isRequest(input) ? input : undefined
    const url = request?.url ?? String(input)
    const { headers, authorization } = readHeaders(init?.headers ?? request?.headers)
    const plan = auth.plan(url, authorization)
    if (plan === 'skip') return send(input as string, init as Init)
    let p = prepare(url, request, init ?? {}, headers)
    if (plan === 'strip') return send(url, { ...p.init, headers: p.headers, body: p.body })
    if (!p.replayable && auth.maxReplayBytes > 0 && isStream(p.body)) p = await buffered(p as Prepared & { body: AsyncIterable<Uint8Array> })
    const token = auth.token(p.signal)
    const first = await sendWith(p, token instanceof Promise ? await token : token)
    if (first.used === undefined) return first.response
    const { response } = first
    if (!auth.mayRetry(response.status)) return response
    const wwwAuthenticate = response.headers.get('www-authenticate')
    const context = { replayable: p.replayable, retried: false, signal: p.signal }
    const next = auth.retryToken({ status: response.status, wwwAuthenticate }, first.used, context)
    if (next === undefined) return response
    const [, retryToken] = await Promise.all([response.body?.cancel(), next])
    return (await sendWith(p, retryToken)).response
  }

  return authFetch as unknown as F
}
