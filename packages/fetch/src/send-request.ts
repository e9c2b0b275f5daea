import { type AuthRequest, isStreamBody } from '@tokenwarden/core/adapter'
import type { FetchResponse, Send } from './fetch-like.ts'
import type { FetchRequest, HeaderRecord } from './read-request.ts'

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']
const MAX_REDIRECTS = 20

/**
 * Sends `request` once, with the `authorization` and body `auth` holds now. Rules:
 * - with `redirect: 'follow'` (the default) it follows redirects itself, as fetch does (fetch is
 *   given `redirect: 'manual'`): up to 20 hops; a 303, or a 301/302 of a POST, goes on as a GET
 *   without body; a hop that would resend a body that cannot be replayed rejects;
 * - core says at every hop whether the token goes along; `Authorization` (and a new `DPoP` proof
 *   for a DPoP-bound token) is set, or both are removed, to match;
 * - any other `redirect` goes to fetch as the caller gave it.
 */
export async function sendRequest(send: Send, request: FetchRequest, auth: AuthRequest): Promise<FetchResponse> {
  const follow = request.redirect === 'follow'
  const redirect = follow ? 'manual' : request.redirect
  let headers: HeaderRecord | Headers = withAuthHeaders(request.headers, auth)
  let { url, method } = request
  let body = bodyOf(request, auth)
  for (let hops = 0; ; hops++) {
    const response = await send(url, { ...request.init, method, headers, body, redirect })
    const location = follow && REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null
    if (location === null) {
      if (hops > 0) Object.defineProperty(response, 'redirected', { value: true })
      return response
    }
    await response.body?.cancel()
    if (hops >= MAX_REDIRECTS) throw new TypeError('fetch failed: redirect count exceeded')
    if (!(headers instanceof Headers)) headers = new Headers(headers)
    const upper = method.toUpperCase()
    if ((response.status === 303 && upper !== 'HEAD') || (response.status <= 302 && upper === 'POST')) {
      method = 'GET'
      body = null
      for (const name of BODY_HEADERS) headers.delete(name)
    } else if (body !== null && !auth.replayable) {
      throw new TypeError('fetch failed: cannot follow a redirect with a streamed body')
    }
    url = new URL(location, url).href
    headers.delete('dpop')
    if (auth.redirected(url, method) === 'attach') {
      if (auth.signing !== undefined) await auth.signing
      headers.set('authorization', auth.authorization)
      if (auth.dpop !== undefined) headers.set('dpop', auth.dpop)
    } else headers.delete('authorization')
  }
}

/** The request's headers with core's `Authorization`, and its `DPoP` proof in place of any the caller set. */
function withAuthHeaders(headers: HeaderRecord, auth: AuthRequest): HeaderRecord {
  const { dpop: _callers, ...rest } = headers
  return auth.dpop === undefined ? { ...rest, authorization: auth.authorization } : { ...rest, authorization: auth.authorization, dpop: auth.dpop }
}

/**
 * The body to send: the caller's, or what core made of a stream — its bytes, or, when it did not
 * fit under `maxReplayBytes`, an async iterable of all of it, which fetch takes as a `ReadableStream`.
 */
function bodyOf(request: FetchRequest, auth: AuthRequest): BodyInit | null {
  const body = auth.body
  if (body === request.body || !isStreamBody(body)) return body as BodyInit | null
  const chunks = body[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array | string>({
    async pull(controller) {
      const next = await chunks.next()
      if (next.done === true) controller.close()
      else controller.enqueue(next.value)
    },
    async cancel(reason) {
      await chunks.return?.(reason)
    },
  }) as BodyInit
}
