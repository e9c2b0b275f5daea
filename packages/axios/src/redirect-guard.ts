import { ErrorCode, TokenPolicyError } from '@tokenwarden/core'
import type { AuthRequest, IsOurs } from '@tokenwarden/core/adapter'
import type { InternalAxiosRequestConfig } from 'axios'

/** axios's `beforeRedirect` option, called by the http adapter before each redirect hop. */
export type RedirectHook = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>

type Headers = Record<string, unknown>

/** The headers a token travels in: both are removed on a hop the token may not go to. */
const AUTH_HEADERS: ReadonlySet<string> = new Set(['authorization', 'dpop'])

/** The method of a hop, as follow-redirects sets it (a 303, or a 301/302 of a POST, becomes a GET). */
function methodOf(options: object): string | undefined {
  const method = (options as { method?: unknown }).method
  return typeof method === 'string' ? method.toUpperCase() : undefined
}

/** Each guard, and the hook it calls next: the caller's (or another credential's guard). */
const wrapped = new WeakMap<RedirectHook, RedirectHook | undefined>()

/** The `Authorization` value in `headers`, whatever the name's case. */
function authorizationIn(headers: Headers): unknown {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') return headers[name]
  return undefined
}

/**
 * A `beforeRedirect` hook for one request that carries our token: each hop gets the token exactly
 * where `request.redirected` says it may go, then `next` (the caller's hook) is called. Rules:
 * - a hop that carries one of the credential's tokens (`ours`), or none, is ours to decide: every
 *   case-variant of `Authorization` and `DPoP` is removed, and on `'attach'` the request's value
 *   (and a new proof, signed synchronously for the hop's URL and method) is set again; a proof
 *   WebCrypto signs (a user's non-extractable `CryptoKeyPair`) cannot be waited for in this
 *   synchronous hook: the hop fails with `TOKEN_REDIRECT_NOT_FOLLOWED`
 *   (axios and follow-redirects strip `Authorization` on hops to other hosts, origins the
 *   credential allows included);
 * - a hop that carries another value (a caller's hook set it) is left as it is.
 */
export function redirectGuard(request: AuthRequest, ours: IsOurs, next: RedirectHook | undefined): RedirectHook {
  const guard: RedirectHook = (options, responseDetails, requestDetails) => {
    const headers = ((options as { headers?: Headers }).headers ??= {})
    const carried = authorizationIn(headers)
    if (carried === undefined || carried === request.authorization || (typeof carried === 'string' && ours(carried))) {
      for (const name of Object.keys(headers)) if (AUTH_HEADERS.has(name.toLowerCase())) delete headers[name]
      if (request.redirected(String(options.href), methodOf(options)) === 'attach') {
        if (request.signing !== undefined) throw unsignedHop(request)
        headers.Authorization = request.authorization
        if (request.dpop !== undefined) headers.DPoP = request.dpop
      }
    }
    next?.(options, responseDetails, requestDetails)
  }
  wrapped.set(guard, next)
  return guard
}

/**
 * The caller's own `beforeRedirect`, without the guards a previous send of the same config
 * installed (`axios.request(error.config)`), so that a config sent again is guarded once.
 */
export function callerRedirect(hook: RedirectHook | undefined): RedirectHook | undefined {
  while (hook !== undefined && wrapped.has(hook)) hook = wrapped.get(hook)
  return hook
}

function unsignedHop(request: AuthRequest): TokenPolicyError {
  return new TokenPolicyError(
    ErrorCode.REDIRECT_NOT_FOLLOWED,
    "a redirect hop needs a new DPoP proof that WebCrypto signs asynchronously (a non-extractable CryptoKeyPair), and axios's beforeRedirect cannot wait for it; give the key as a JWK, a PKCS#8 PEM or an extractable CryptoKeyPair",
    { credential: request.manager.name, transient: false },
  )
}
