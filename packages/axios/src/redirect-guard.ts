import type { RequestAuth } from '@tokenwarden/core'
import type { InternalAxiosRequestConfig } from 'axios'

/** axios's `beforeRedirect` option, called by the http adapter before each redirect hop. */
export type RedirectHook = NonNullable<InternalAxiosRequestConfig['beforeRedirect']>

type Headers = Record<string, unknown>

/** The `Authorization` value in `headers`, whatever the name's case. */
function authorizationIn(headers: unknown): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'authorization') return String(value)
  return undefined
}

/**
 * A `beforeRedirect` hook that gives each hop the token the request carried, exactly where the
 * token may go, then calls the caller's own hook. Rules:
 * - the request carries our token when a hop before this one carried a value the credential
 *   recognises (remembered per request, on follow-redirects' options object, for later hops);
 * - on a hop to an origin the token may go to, that value is set again: axios and follow-redirects
 *   strip `Authorization` on every hop to another host, origins the credential allows included;
 * - on any other hop, every case-variant of the header is removed (whatever axios or
 *   follow-redirects already did, on every version);
 * - a request that carried the caller's own header is left to axios's own rules.
 */
export function redirectGuard(auth: RequestAuth, next: RedirectHook | undefined): RedirectHook {
  const carried = new WeakMap<object, string>()
  return (options, responseDetails, requestDetails) => {
    const headers = ((options as { headers?: Headers }).headers ??= {})
    let ours = carried.get(options)
    if (ours === undefined) {
      const previous = authorizationIn((requestDetails as { headers?: unknown } | undefined)?.headers) ?? authorizationIn(headers)
      if (previous !== undefined && auth.manager().recognize(previous) !== undefined) carried.set(options, (ours = previous))
    }
    if (ours !== undefined) {
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name]
      if (auth.plan(String(options.href), ours) === 'attach') headers.Authorization = ours
    }
    next?.(options, responseDetails, requestDetails)
  }
}
