import type { Credential, RequestAuthOptions } from '@tokenwarden/core'
import { RequestAuth, invalidOption } from '@tokenwarden/core/adapter'
import type { FetchLike, FetchResponse, Init, Send } from './fetch-like.ts'
import { type RequestLike, readRequest } from './read-request.ts'
import { sendRequest } from './send-request.ts'

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
  credential: Credential,
  options?: RequestAuthOptions,
): F {
  if (typeof fetch !== 'function') throw invalidOption('fetch', 'a fetch function')
  const auth = new RequestAuth(credential, options)
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
    for (;;) {
      const response = await sendRequest(send, request, plan)
      const retry = plan.respond(response.status, (name) => response.headers.get(name))
      if (retry === undefined) return response
      await Promise.all([response.body?.cancel(), retry])
    }
  }

  return authFetch as unknown as F
}
