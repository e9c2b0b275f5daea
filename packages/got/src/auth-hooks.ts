import { Readable } from 'node:stream'
import {
  type AuthResponse,
  type RequestAuthOptions,
  type Token,
  type TokenManager,
  RequestAuth,
  bufferBody,
  isReplayableBody,
  isTokenError,
} from '@tokenwarden/core'
import type { AfterResponseHook, BeforeErrorHook, BeforeRequestHook, InitHook, Options, Response } from 'got'

/** The got options `authHooks` returns, for `got.extend`. */
export interface GotAuthHooks {
  hooks: {
    init: InitHook[]
    beforeRequest: BeforeRequestHook[]
    afterResponse: AfterResponseHook[]
    beforeError: BeforeErrorHook[]
  }
}

/** Marks, in `options.context`, a request already resent once after a 401. */
const RETRIED = Symbol('tokenwarden.retried')
/** The token attached to the request's current attempt, in `options.context` (each request has its own copy). */
const USED = Symbol('tokenwarden.used')

type Context = { [RETRIED]?: boolean; [USED]?: Token | undefined }

/** Sets the token's header and remembers the token for the response. */
function attach(options: Parameters<BeforeRequestHook>[0], token: Token): void {
  options.headers.authorization = token.authorization
  ;(options.context as Context)[USED] = token
}

/**
 * got hooks that give got the whole request-auth behaviour of `@tokenwarden/core`. Rules:
 * - `beforeRequest` runs before every send, redirect hops and retries included, so the origin is
 *   checked there each time (`auth.plan`): the token is attached, left out, or stripped;
 * - `afterResponse` hands a 401 to `auth.retryToken` and, when it gives a token, resends once with
 *   `retryWithMergedOptions`; a second 401 is returned as it is (and got throws its `HTTPError`
 *   when `throwHttpErrors` is on). The retry keeps the `afterResponse` hooks (`preserveHooks`), so
 *   hooks after this one see the response the caller gets; a mark in `options.context` tells core
 *   the request was already resent. `json`, `form`, strings, buffers and `FormData` (which got
 *   serialises again) are replayed; a stream is replayed only once buffered under `maxReplayBytes`;
 * - `got.stream` runs no `afterResponse` hooks: the token is attached, and a 401 reaches the stream
 *   as it is;
 * - errors from token acquisition reach the caller as the `TokenError` itself, not wrapped in got's
 *   `RequestError`.
 *
 * @throws {@link ErrorCode.NO_ORIGINS} when the credential is registered and has no origins.
 * @example
 * ```ts
 * credentials.register('graph', { source, origins: ['https://graph.microsoft.com'] })
 * const graph = got.extend(authHooks('graph'))
 * ```
 */
export function authHooks(credential: string | TokenManager, options?: RequestAuthOptions): GotAuthHooks {
  const auth = new RequestAuth(credential, options)
  const formBodies = new WeakSet<object>()

  const init: InitHook = (plain, options) => {
    if (plain.body instanceof FormData) formBodies.add(options)
  }

  /** Synchronous when the token is cached and the body needs no buffering: got then skips a promise per request. */
  const beforeRequest: BeforeRequestHook = (options) => {
    const context = options.context as Context
    const plan = auth.plan(options.url ?? '', header(options))
    if (context[USED] !== undefined) context[USED] = undefined
    if (plan === 'skip') return
    if (options.headers.authorization !== undefined) delete options.headers.authorization
    if (plan === 'strip') return
    const token = auth.token(options.signal)
    const buffer = auth.maxReplayBytes > 0 && isStream(options.body) && !formBodies.has(options)
    if (!buffer && !(token instanceof Promise)) return attach(options, token)
    return (async () => {
      attach(options, await token)
      if (buffer) options.body = await buffered(options.body as AsyncIterable<Uint8Array>, auth.maxReplayBytes)
    })()
  }

  const afterResponse: AfterResponseHook = async (response, retryWithMergedOptions) => {
    const options = response.request.options
    const context = options.context as Context
    const token = context[USED]
    if (token === undefined || !auth.mayRetry(response.statusCode)) return response
    const retry = auth.retryToken(challengeOf(response), token, {
      replayable: formBodies.has(options) || isReplayableBody(options.body),
      retried: context[RETRIED] === true,
      signal: options.signal,
    })
    if (retry === undefined) return response
    const next = await retry
    context[RETRIED] = true
    return retryWithMergedOptions({ headers: { authorization: next.authorization }, preserveHooks: true })
  }

  const beforeError: BeforeErrorHook = (error) => (isTokenError(error.cause) ? error.cause : error)

  return { hooks: { init: [init], beforeRequest: [beforeRequest], afterResponse: [afterResponse], beforeError: [beforeError] } }
}

/** The caller's `Authorization`; `authorization: undefined`, got's way to send none, is the caller's choice too. */
function header(options: Pick<Options, 'headers' | 'isHeaderExplicitlySet'>): string | undefined {
  const value = options.headers.authorization
  if (value === undefined) return options.isHeaderExplicitlySet('authorization') ? '' : undefined
  return Array.isArray(value) ? value.join(', ') : value
}

/** The response as core reads it; `WWW-Authenticate` is looked up only if core asks for it. */
function challengeOf(response: Response): AuthResponse {
  return {
    status: response.statusCode,
    get wwwAuthenticate(): string | string[] | undefined {
      return response.headers['www-authenticate']
    },
  }
}

function isStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof body === 'object' && body !== null && Symbol.asyncIterator in body
}

/** The whole body when it fits in `maxBytes`, else a stream that still sends all of it (once). */
async function buffered(body: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer | Readable> {
  const result = await bufferBody(body, maxBytes)
  return result.buffered ? result.body : Readable.from(result.body)
}
