import { Readable } from 'node:stream'
import {
  type AuthResponse,
  type IsOurs,
  type RequestAuthOptions,
  type Token,
  type TokenManager,
  type WaitBounds,
  RequestAuth,
  bufferBody,
  isRedactedAuthorization,
  isReplayableBody,
  isTokenError,
  retryTokenWithin,
  tokenWithin,
} from '@tokenwarden/core'
import type { AfterResponseHook, BeforeErrorHook, BeforeRequestHook, InitHook, Options, Response } from 'got'
import { redactError, timeoutError } from './hook-errors.ts'

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
/** The token the request carries, kept across redirect hops, also those it may not go to. */
const CARRIED = Symbol('tokenwarden.carried')

/** The options got hands its hooks. */
type HookOptions = Parameters<BeforeRequestHook>[0]

type Context = { [RETRIED]?: boolean; [USED]?: Token | undefined; [CARRIED]?: Token | undefined }

/** Sets the token's header and remembers the token for the response and the next hops. */
function attach(options: HookOptions, token: Token): void {
  options.headers.authorization = token.authorization
  const context = options.context as Context
  context[USED] = token
  context[CARRIED] = token
}

/** The request's deadline for a token, in got's terms: `signal`, and `timeout.request` (got's `TimeoutError`). */
function boundsOf(options: HookOptions | Options): WaitBounds {
  const ms = options.timeout.request
  return { signal: options.signal as AbortSignal | undefined, timeoutMs: ms, timedOut: () => timeoutError(options, ms ?? 0) }
}

/**
 * got hooks that give got the whole request-auth behaviour of `@tokenwarden/core`. Rules:
 * - `beforeRequest` runs before every send, redirect hops and retries included, so the origin is
 *   checked there each time (`auth.plan`): the token is attached, left out, or stripped. A request
 *   that carried our token gets it again on a hop to any origin it may go to (got removes
 *   `authorization` on every hop to another origin, origins the credential allows included);
 * - `timeout.request` and `signal` bound each wait for a token: the request fails with got's own
 *   `TimeoutError` (`ETIMEDOUT`, event `request`) or `AbortError`;
 * - `afterResponse` hands a 401 to `auth.retryToken` and, when it gives a token, resends once with
 *   `retryWithMergedOptions`; a second 401 is returned as it is (and got throws its `HTTPError`
 *   when `throwHttpErrors` is on). The retry keeps the `afterResponse` hooks (`preserveHooks`), so
 *   hooks after this one see the response the caller gets; a mark in `options.context` tells core
 *   the request was already resent. `json`, `form`, strings, buffers and `FormData` (which got
 *   serialises again) are replayed; a stream is replayed only once buffered under `maxReplayBytes`;
 * - `got.stream` runs no `afterResponse` hooks: the token is attached, and a 401 reaches the stream
 *   as it is;
 * - errors from token acquisition reach the caller as the `TokenError` itself, not wrapped in got's
 *   `RequestError`; any other error shows `authorization: 'Bearer [redacted by tokenwarden]'` in
 *   place of our token (`options.headers`, and the request behind it), the caller's own header as it is.
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
    const plan = auth.plan(options.url ?? '', header(options) ?? context[CARRIED]?.authorization)
    if (context[USED] !== undefined) context[USED] = undefined
    if (plan === 'skip') return
    if (options.headers.authorization !== undefined) delete options.headers.authorization
    if (plan === 'strip') return
    const token = auth.manager().current() ?? tokenWithin(auth, boundsOf(options))
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
    const replayable = formBodies.has(options) || isReplayableBody(options.body)
    const retried = context[RETRIED] === true
    const retry = retryTokenWithin(auth, challengeOf(response), token, { replayable, retried }, boundsOf(options))
    if (retry === undefined) return response
    const next = await retry
    context[RETRIED] = true
    return retryWithMergedOptions({ headers: { authorization: next.authorization }, preserveHooks: true })
  }

  /** Whether a value carries one of the credential's tokens; `false` when the credential is gone. */
  const ours: IsOurs = (value) => {
    try {
      return auth.manager().recognize(value) !== undefined
    } catch {
      return false
    }
  }
  const beforeError: BeforeErrorHook = (error) => {
    if (isTokenError(error.cause)) return error.cause
    redactError(error, ours)
    return error
  }

  return { hooks: { init: [init], beforeRequest: [beforeRequest], afterResponse: [afterResponse], beforeError: [beforeError] } }
}

/**
 * The request's `Authorization`, `undefined` when it has none. `authorization: undefined`, got's way
 * to send none, is the caller's choice too (`''`), unless the request carried our token: then got
 * removed it on a hop to another origin (`undefined`). A value an error redacted (options sent
 * again) is ours, and removed.
 */
function header(options: HookOptions): string | undefined {
  const value = options.headers.authorization
  if (isRedactedAuthorization(value)) {
    delete options.headers.authorization
    return undefined
  }
  if (value === undefined) {
    const carried = (options.context as Context)[CARRIED] !== undefined
    return options.isHeaderExplicitlySet('authorization') && !carried ? '' : undefined
  }
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
