import type { RequestAuth } from '@tokenwarden/core'
import type { InternalAxiosRequestConfig } from 'axios'

/** axios's `beforeRedirect` option, called by the http adapter before each redirect hop. */
export type RedirectHook = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>

/**
 * A `beforeRedirect` hook that removes our `Authorization` header from a hop to an origin the token
 * may not go to (every case-variant), then calls the caller's own hook. Recent axios and
 * follow-redirects drop the header on most cross-origin hops themselves; this check holds whatever
 * their versions, and on the hops some versions keep it for (a subdomain, http → https).
 */
export function redirectGuard(auth: RequestAuth, next: RedirectHook | undefined): RedirectHook {
  return (options, responseDetails, requestDetails) => {
    const headers = options.headers as Record<string, unknown> | undefined
    for (const name of Object.keys(headers ?? {})) {
      if (name.toLowerCase() !== 'authorization') continue
      if (auth.plan(String(options.href), String(headers?.[name])) === 'strip') delete headers?.[name]
    }
    next?.(options, responseDetails, requestDetails)
  }
}
