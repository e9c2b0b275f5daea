import type { AuthRequest, IsOurs } from '@tokenwarden/core/adapter'
import type { InternalAxiosRequestConfig } from 'axios'

/** axios's `beforeRedirect` option, called by the http adapter before each redirect hop. */
export type RedirectHook = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>

type Headers = Record<string, unknown>

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
 *   case-variant of the header is removed, and on `'attach'` the request's value is set again
 *   (axios and follow-redirects strip `Authorization` on hops to other hosts, origins the
 *   credential allows included);
 * - a hop that carries another value (a caller's hook set it) is left as it is.
 */
export function redirectGuard(request: AuthRequest, ours: IsOurs, next: RedirectHook | undefined): RedirectHook {
  const guard: RedirectHook = (options, responseDetails, requestDetails) => {
    const headers = ((options as { headers?: Headers }).headers ??= {})
    const carried = authorizationIn(headers)
    if (carried === undefined || carried === request.authorization || (typeof carried === 'string' && ours(carried))) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name]
      if (request.redirected(String(options.href)) === 'attach') headers.Authorization = request.authorization
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
