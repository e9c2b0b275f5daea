import type { Credential, RequestAuthOptions } from '@tokenwarden/core'
import { type AuthPlan, RequestAuth, invalidOption } from '@tokenwarden/core/adapter'
import { Dispatcher1Wrapper, type Dispatcher, errors } from 'undici'
import { AuthHandler, type Dispatch } from './auth-handler.ts'
import { getAuthorization, headerRecord, setAuthHeaders } from './headers.ts'

/** Node's bundled fetch passes v1 handlers (`onHeaders`…) to a `dispatcher` it is given: convert them. */
const wrapHandler = (Dispatcher1Wrapper as unknown as { wrapHandler(handler: object): Dispatcher.DispatchHandler })
  .wrapHandler

/** Where a dispatch goes: its origin and path, or its absolute `path` when sent through a proxy. */
function targetOf(opts: Dispatcher.DispatchOptions): string {
  const { origin, path } = opts
  if (path.charCodeAt(0) !== 47) return path
  return `${typeof origin === 'string' ? origin : (origin as URL).origin}${path}`
}

/** The error undici raises when `headersTimeout` passes: a wait for a token that long ends with it. */
const headersTimedOut = (): Error => new errors.HeadersTimeoutError()

/** undici's own default `headersTimeout`, in ms. */
const UNDICI_HEADERS_TIMEOUT_MS = 300_000

/** Options of the undici {@link authInterceptor}: every adapter's, and one of undici's own. */
export interface UndiciAuthOptions extends RequestAuthOptions {
  /**
   * Longest wait for a token, in ms, for a request that gives no `headersTimeout` of its own
   * (`request(url, { headersTimeout })`); `0`: no limit. The wait then fails with undici's
   * `HeadersTimeoutError`, as a server that sends no headers in time would. An interceptor cannot
   * see the `headersTimeout` given to the `Agent`, `Pool` or `Client` it is composed on: give the
   * same value here.
   * @default 300_000 (undici's own default `headersTimeout`)
   * @example
   * ```ts
   * new Agent({ headersTimeout: 10_000 }).compose(authInterceptor('graph', { headersTimeout: 10_000 }))
   * ```
   */
  headersTimeout?: number | undefined
}

/**
 * A Dispatcher interceptor that attaches the credential's token to requests for its origins,
 * keeps it fresh, and after a 401 reacquires it and resends the request once.
 *
 * Compose order: `compose(a, b)` calls `b` first (the last interceptor is the outermost). Put
 * `authInterceptor` before (inside) interceptors that dispatch again, such as `redirect` and
 * `retry`: every redirect hop and every retry then enters it, and its origin is checked, so the
 * token never follows a redirect to an origin it may not go to, and follows it to every origin it
 * may go to; a request that carried the caller's own `Authorization` gets no token on its hops.
 * Put it after (outside) interceptors that rewrite the origin, such as `dns`, so that it sees the
 * host name the caller used.
 *
 * A request's `signal` and `headersTimeout` (else `options.headersTimeout`) bound its wait for a
 * token: it fails with the signal's reason, or undici's `HeadersTimeoutError`.
 *
 * @param credential a credential's name, looked up at each request in `options.registry` (default
 *   `credentials`), a `TokenManager`, or a resolver choosing each request's credential.
 * @throws `TOKEN_NO_ORIGINS` when the credential is known and may go nowhere;
 *   `TOKEN_INSECURE_TRANSPORT` for a plain-http origin that is not loopback.
 *
 * @example
 * ```ts
 * import { Agent, interceptors, setGlobalDispatcher } from 'undici'
 * import { authInterceptor } from '@tokenwarden/undici'
 *
 * const agent = new Agent().compose(authInterceptor('graph'), interceptors.redirect({ maxRedirections: 3 }))
 * setGlobalDispatcher(agent) // global fetch and undici.request now carry the token too
 * ```
 */
export function authInterceptor(
  credential: Credential,
  options?: UndiciAuthOptions,
): Dispatcher.DispatcherComposeInterceptor {
  const auth = new RequestAuth(credential, options)
  const headersTimeout = options?.headersTimeout ?? UNDICI_HEADERS_TIMEOUT_MS
  if (typeof headersTimeout !== 'number' || !(headersTimeout >= 0)) throw invalidOption('headersTimeout', 'a number of milliseconds, 0 or more')
  /** Handlers of requests that carried the caller's own header: a redirect hop dispatches them again without it. */
  const callersOwn = new WeakSet<object>()
  return (dispatch: Dispatch): Dispatch =>
    function authInterceptor(opts: Dispatcher.DispatchOptions, legacyOrHandler: Dispatcher.DispatchHandler): boolean {
      const handler = wrapHandler(legacyOrHandler)
      if (opts.origin === undefined || opts.origin === null) return dispatch(opts, handler)
      const authorization = getAuthorization(opts.headers)
      if (authorization === undefined && callersOwn.has(legacyOrHandler)) return dispatch(opts, handler)
      const { signal, headersTimeout: timeoutMs } = opts as { signal?: unknown; headersTimeout?: number | null }
      let plan: AuthPlan
      try {
        plan = auth.begin({
          url: targetOf(opts),
          method: opts.method,
          authorization,
          body: opts.body,
          headers: () => headerRecord(opts.headers),
          signal: signal instanceof AbortSignal ? signal : undefined,
          timeoutMs: timeoutMs ?? headersTimeout,
          timedOut: headersTimedOut,
        })
      } catch (error) {
        handler.onResponseError?.(null as never, error as Error)
        return false
      }
      if (plan === 'untouched') {
        if (authorization !== undefined) callersOwn.add(legacyOrHandler)
        return dispatch(opts, handler)
      }
      if (plan === 'strip') return dispatch({ ...opts, headers: setAuthHeaders(opts.headers, undefined) }, handler)
      return new AuthHandler(plan, dispatch, opts, handler).start()
    }
}
