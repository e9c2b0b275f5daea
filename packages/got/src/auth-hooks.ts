import { Readable } from 'node:stream'
import { type Credential, type RequestAuthOptions, isTokenError } from '@tokenwarden/core'
import { type AuthRequest, type IsOurs, RequestAuth, type RequestView, isStreamBody } from '@tokenwarden/core/adapter'
import type { AfterResponseHook, BeforeErrorHook, BeforeRequestHook, InitHook } from 'got'
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

/**
 * The request's {@link AuthRequest}, in `options.context`, once its first send carries the token.
 * got copies the context into the options of each redirect hop and each retry.
 */
const AUTH = Symbol('tokenwarden.request')

/** The options got hands its hooks. */
type HookOptions = Parameters<BeforeRequestHook>[0]

type Context = { [AUTH]?: AuthRequest }

/**
 * got hooks that give got the whole request-auth behaviour of `@tokenwarden/core`. Rules:
 * - `beforeRequest` runs before every send, redirect hops and retries included. The first asks
 *   core (`RequestAuth.begin`) whether the request carries the token; later ones ask the request's
 *   `AuthRequest` whether the token goes to the hop's origin: it is attached again, or stripped
 *   (got removes `authorization` on every hop to another origin, origins the credential allows
 *   included). `authorization: undefined`, got's way to send none, is the caller's choice;
 * - `timeout.request` and `signal` bound each wait for a token: the request fails with got's own
 *   `TimeoutError` (`ETIMEDOUT`, event `request`) or `AbortError`;
 * - `afterResponse` hands every response to core and, when core answers with a retry, resends with
 *   `retryWithMergedOptions` once the new token is in (`beforeRequest` attaches it); a response
 *   core does not retry (a second 401 among them) is returned as it is (and got throws its
 *   `HTTPError` when `throwHttpErrors` is on). The retry keeps the `afterResponse` hooks (`preserveHooks`), so hooks after this one
 *   see the response the caller gets. `json`, `form`, strings, buffers and `FormData` (which got
 *   serialises again) are replayed; a stream is replayed only once core buffered it under
 *   `maxReplayBytes`;
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
export function authHooks(credential: Credential, options?: RequestAuthOptions): GotAuthHooks {
  const auth = new RequestAuth(credential, options)
  /** The caller's `FormData`, by request options: by `beforeRequest`, got has turned it into a stream. */
  const forms = new WeakMap<object, FormData>()

  const init: InitHook = (plain, options) => {
    if (plain.body instanceof FormData) forms.set(options, plain.body)
  }

  /** Synchronous when the token is cached and the body needs no buffering: got then skips a promise per request. */
  const beforeRequest: BeforeRequestHook = (options) => {
    const context = options.context as Context
    const carried = context[AUTH]
    if (carried !== undefined) {
      if (carried.redirected(options.url ?? '', options.method) !== 'attach') return removeAuthHeaders(options)
      const signing = carried.signing
      if (signing === undefined) return setAuthHeaders(options, carried)
      return signing.then(() => setAuthHeaders(options, carried))
    }
    const view = viewOf(options, forms.get(options))
    const plan = auth.begin(view)
    if (plan === 'untouched') return
    if (plan === 'strip') return removeAuthHeaders(options)
    const ready = plan.ready()
    if (ready === undefined) return send(options, plan, view.body)
    return ready.then(() => send(options, plan, view.body))
  }

  const afterResponse: AfterResponseHook = async (response, retryWithMergedOptions) => {
    const retry = (response.request.options.context as Context)[AUTH]?.respond(response.statusCode, (name) => response.headers[name])
    if (retry === undefined) return response
    await retry
    return retryWithMergedOptions({ preserveHooks: true })
  }

  /** Whether a value carries one of the credential's tokens; `false` when the credential is gone or chosen per request. */
  const credentialsOwn: IsOurs = (value) => {
    try {
      return auth.manager().recognize(value) !== undefined
    } catch {
      return false
    }
  }
  /** The request ends with the error: its options, which the error shows and a caller may send again, forget its `AuthRequest`. */
  const beforeError: BeforeErrorHook = (error) => {
    if (isTokenError(error.cause)) return error.cause
    const context = error.options?.context as Context | undefined
    const request = context?.[AUTH]
    if (context !== undefined) delete context[AUTH]
    redactError(error, (value) => request?.isOurs(value) === true || credentialsOwn(value))
    return error
  }

  return { hooks: { init: [init], beforeRequest: [beforeRequest], afterResponse: [afterResponse], beforeError: [beforeError] } }
}

/**
 * The request as core reads it. `authorization: undefined` set by the caller means "send none";
 * a `FormData` body is the caller's own, which got serialises again for a resend.
 */
function viewOf(options: HookOptions, form: FormData | undefined): RequestView {
  const header = options.headers.authorization
  const ms = options.timeout.request
  return {
    url: options.url ?? '',
    method: options.method,
    authorization: Array.isArray(header) ? header[0] : header,
    callerAuthenticates: header === undefined && options.isHeaderExplicitlySet('authorization'),
    body: form ?? options.body,
    headers: () => headerRecord(options.headers),
    signal: options.signal as AbortSignal | undefined,
    timeoutMs: ms,
    timedOut: () => timeoutError(options, ms ?? 0),
  }
}

/**
 * Sets what core made ready: the token, and the body when core buffered a stream (its bytes, or a
 * stream of all of it when it did not fit). Keeps the request's `AuthRequest` for its hops and resends.
 */
function send(options: HookOptions, request: AuthRequest, given: unknown): void {
  setAuthHeaders(options, request)
  const { body } = request
  if (body !== given) options.body = nodeBody(body)
  ;(options.context as Context)[AUTH] = request
}

/** The request's headers as a record (got's names are lower-case already), for a credential resolver. */
function headerRecord(headers: HookOptions['headers']): Record<string, string> {
  const record: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) record[name] = Array.isArray(value) ? value.join(', ') : String(value)
  return record
}

/** Sets the request's `Authorization`, and its `DPoP` proof when the token is DPoP-bound (got's header names are lower-case). */
function setAuthHeaders(options: HookOptions, request: AuthRequest): void {
  options.headers.authorization = request.authorization
  if (request.dpop === undefined) delete options.headers.dpop
  else options.headers.dpop = request.dpop
}

/** Removes `Authorization` and `DPoP`: the hop goes where the token may not. */
function removeAuthHeaders(options: HookOptions): void {
  delete options.headers.authorization
  delete options.headers.dpop
}

/** The body core made ready, as got takes it: a stream as a `Readable`, bytes as a `Buffer`. */
function nodeBody(body: unknown): HookOptions['body'] {
  if (isStreamBody(body)) return Readable.from(body)
  if (body instanceof Uint8Array && !Buffer.isBuffer(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength)
  return body as HookOptions['body']
}
