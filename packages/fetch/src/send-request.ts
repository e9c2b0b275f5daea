import { type AuthRequest, isStreamBody } from '@tokenwarden/core/adapter'
import { ErrorCode, TokenPolicyError } from '@tokenwarden/core'
import type { FetchResponse, Init, Send } from './fetch-like.ts'
import type { FetchRequest, HeaderRecord } from './read-request.ts'

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])
const BODY_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location']
const MAX_REDIRECTS = 20

/** How a wrapper sends: `browser` once fetch is known to hide redirects (it may learn it on the way). */
export interface SendMode {
  browser: boolean
}

/**
 * Sends `request` once, with the `authorization` and body `auth` holds now. Rules:
 * - with `redirect: 'follow'` (the default) it follows redirects itself, as fetch does (fetch is
 *   given `redirect: 'manual'`): up to 20 hops; a 303, or a 301/302 of a POST, goes on as a GET
 *   without body; a hop that would resend a body that cannot be replayed rejects;
 * - core says at every hop whether the token goes along; `Authorization` (and a new `DPoP` proof
 *   for a DPoP-bound token) is set, or both are removed, to match;
 * - in a browser (`mode.browser`), whose fetch hides redirects, see {@link sendInBrowser}; a wrapper
 *   that meets an `opaqueredirect` it did not expect learns it: a GET or HEAD with a bearer token is
 *   sent again the browser's way, anything else fails with `TOKEN_REDIRECT_NOT_FOLLOWED`;
 * - any other `redirect` goes to fetch as the caller gave it.
 */
export async function sendRequest(send: Send, request: FetchRequest, auth: AuthRequest, mode: SendMode): Promise<FetchResponse> {
  const follow = request.redirect === 'follow'
  if (follow && mode.browser) return sendInBrowser(send, request, auth)
  const redirect = follow ? 'manual' : request.redirect
  let headers: HeaderRecord | Headers = withAuthHeaders(request.headers, auth)
  let { url, method } = request
  let body = bodyOf(request, auth)
  for (let hops = 0; ; hops++) {
    const response = await send(url, { ...request.init, method, headers, body, redirect })
    if (follow && response.type === 'opaqueredirect') {
      mode.browser = true
      await response.body?.cancel()
      const upper = method.toUpperCase()
      if (hops > 0 || auth.dpop !== undefined || (upper !== 'GET' && upper !== 'HEAD')) throw notFollowed(auth)
      return sendInBrowser(send, request, auth)
    }
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

/**
 * Sends `request` in a browser, whose fetch hides redirects from the page. Rules:
 * - a bearer token: the browser follows redirects itself (`redirect: 'follow'`) and drops
 *   `Authorization` on a hop to another origin (Fetch standard), so the token never leaves the
 *   first origin; a same-origin hop keeps it;
 * - a DPoP-bound token: its proof is signed for the first URL and a browser would send the `DPoP`
 *   header to every hop, so redirects are not followed: an `opaqueredirect` fails with
 *   `TOKEN_REDIRECT_NOT_FOLLOWED` (the server did receive the request).
 */
async function sendInBrowser(send: Send, request: FetchRequest, auth: AuthRequest): Promise<FetchResponse> {
  const headers = withAuthHeaders(request.headers, auth)
  const init: Init = { ...request.init, method: request.method, headers, body: bodyOf(request, auth) }
  if (auth.dpop === undefined) return send(request.url, { ...init, redirect: 'follow' })
  const response = await send(request.url, { ...init, redirect: 'manual' })
  if (response.type !== 'opaqueredirect') return response
  await response.body?.cancel()
  throw notFollowed(auth)
}

function notFollowed(auth: AuthRequest): TokenPolicyError {
  return new TokenPolicyError(
    ErrorCode.REDIRECT_NOT_FOLLOWED,
    'the server answered with a redirect that fetch hides here (a browser: "opaqueredirect"), which the wrapper cannot follow ' +
      'for a DPoP-bound token or a method other than GET and HEAD; the request was received by the server',
    { credential: auth.manager.name, transient: false },
  )
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
