import { type Credential, ErrorCode, type RequestAuthOptions, TokenPolicyError } from '@tokenwarden/core'
import { type AuthRequest, RequestAuth, invalidOption, isStreamBody } from '@tokenwarden/core/adapter'
import { browserDefaults, isBrowser } from './browser-fetch.ts'
import type { FetchLike, FetchResponse, Init, Send } from './fetch-like.ts'
import { type RequestLike, readRequest } from './read-request.ts'
import { type SendMode, sendRequest } from './send-request.ts'

/** Options of {@link withAuth}: those of every adapter, and how fetch behaves here. */
export interface FetchAuthOptions extends RequestAuthOptions {
  /**
   * Whether the wrapped fetch is a browser's: it hides redirects (`opaqueredirect`) and cannot send a
   * stream body over HTTP/1.1. Then the browser follows redirects for a bearer token (dropping
   * `Authorization` on a hop to another origin), a DPoP-bound request's redirect fails with
   * `TOKEN_REDIRECT_NOT_FOLLOWED`, and a streamed body must fit under `maxReplayBytes` (1 MiB by
   * default there) or fails with `TOKEN_STREAM_BODY_UNSUPPORTED` before it is sent.
   * @default true where the global `document` or `importScripts` exists (a page, a Web Worker)
   */
  browser?: boolean | undefined
}

/**
 * Wraps a fetch function so that requests to the credential's origins carry its token, kept fresh,
 * and a 401 is answered by reacquiring the token and sending the request once more. Rules:
 * - a request to another origin, or with the caller's own `Authorization`, goes to `fetch` untouched;
 * - core decides after each response (a 401's new token, a claims challenge, a 403's scope
 *   upgrade when the credential allows it): each kind of retry once, three sends at most;
 * - bodies are resent as they were (strings, bytes, `Blob`, `FormData`, `URLSearchParams`); a
 *   stream (a `ReadableStream` body, or a `Request`'s body) is buffered under `maxReplayBytes`,
 *   else sent as it is and its 401 returned;
 * - with `redirect: 'follow'` (the default) the wrapper follows redirects itself, up to 20, checking
 *   every hop's origin: the token never goes to an origin it may not go to;
 * - the signal of `init` or of the `Request` also ends a wait for a token;
 * - in a browser, see {@link FetchAuthOptions.browser}.
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
  credential: Credential,
  options?: FetchAuthOptions,
): F {
  if (typeof fetch !== 'function') throw invalidOption('fetch', 'a fetch function')
  const browser = options?.browser ?? isBrowser()
  if (typeof browser !== 'boolean') throw invalidOption('browser', 'a boolean')
  const maxReplayBytes = options?.maxReplayBytes ?? (browser ? browserDefaults.maxReplayBytesInBrowser : undefined)
  const auth = new RequestAuth(credential, { ...options, maxReplayBytes })
  const mode: SendMode = { browser }
  const send = fetch as unknown as Send

  async function authFetch(input: string | URL | RequestLike, init?: Init): Promise<FetchResponse> {
    const request = readRequest(input, init)
    const plan = auth.begin(request)
    if (plan === 'untouched') return send(input as string, init as Init)
    if (plan === 'strip') {
      const { url, init: rest, headers, body, redirect } = request
      const { dpop: _proof, ...others } = headers
      return send(url, { ...rest, headers: others, body, redirect })
    }
    const ready = plan.ready()
    if (ready !== undefined) await ready
    if (mode.browser) refuseStream(plan)
    for (;;) {
      const response = await sendRequest(send, request, plan, mode)
      if (mode.browser && leftOrigin(response, request.url)) return response
      const retry = plan.respond(response.status, (name) => response.headers.get(name))
      if (retry === undefined) return response
      await Promise.all([response.body?.cancel(), retry])
    }
  }

  return authFetch as unknown as F
}

/** A browser sends a stream only over HTTP/2 (Chromium) or not at all: one that was not buffered is refused before it is sent. */
function refuseStream(plan: AuthRequest): void {
  if (plan.replayable || !isStreamBody(plan.body)) return
  throw new TokenPolicyError(
    ErrorCode.STREAM_BODY_UNSUPPORTED,
    'a streamed request body larger than maxReplayBytes cannot be sent by a browser; give a Blob, bytes or a string, or raise maxReplayBytes',
    { credential: plan.manager.name, transient: false },
  )
}

/**
 * Whether the browser followed a redirect to another origin: it sent that hop without
 * `Authorization`, so the answer is not about this credential's token and goes to the caller.
 */
function leftOrigin(response: FetchResponse, url: string): boolean {
  if (response.redirected !== true || typeof response.url !== 'string' || response.url === '') return false
  return URL.parse(response.url)?.origin !== new URL(url).origin
}
