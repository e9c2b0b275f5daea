import type { Credential, RequestAuthOptions } from '@tokenwarden/core'
import { RequestAuth } from '@tokenwarden/core/adapter'
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios'
import { authAdapter } from './auth-adapter.ts'
import { callerRedirect } from './redirect-guard.ts'

/** A request interceptor, as `axios.interceptors.request.use` takes it. */
export type AxiosAuthInterceptor = (config: InternalAxiosRequestConfig) => InternalAxiosRequestConfig

/**
 * A request interceptor that gives axios the whole request-auth behaviour of `@tokenwarden/core`:
 * the token is attached to requests bound for the credential's origins, and a 401 is answered by
 * one new token and one resend. Rules:
 * - the interceptor only wraps the request's adapter (http, fetch or your own); the wrapped adapter
 *   sees the final URL, headers and serialised body, and asks core for every decision;
 * - a config sent again (`axios.request(error.config)`) is wrapped once, not twice;
 * - redirects followed by the http adapter are checked hop by hop: the token goes on to every origin
 *   it may go to and is removed on any other (the fetch adapter's `fetch` drops it on every
 *   cross-origin hop, and calls no `beforeRedirect`);
 * - `config.timeout` and `config.signal` bound the wait for a token: the request then rejects with
 *   axios's own timeout `AxiosError` (`ECONNABORTED`, or `ETIMEDOUT` with
 *   `transitional.clarifyTimeoutError`) or its `CanceledError`;
 * - an `AxiosError` it rejects with shows `Authorization: Bearer [redacted by tokenwarden]` in place of
 *   our token (`config`, `request`, `response`); sending its `config` again attaches a fresh token.
 *
 * The interceptor is synchronous: `use(authInterceptor('graph'), undefined, { synchronous: true })`
 * (what {@link withAuth} does) lets axios skip a promise turn per request when every request
 * interceptor is registered that way.
 *
 * axios runs request interceptors last-added-first: an interceptor that sets `config.adapter` (a
 * mock, a cache) must be added after this one, so that it runs first and its adapter is wrapped.
 *
 * @throws {@link ErrorCode.NO_ORIGINS} when the credential is registered and has no origins.
 * @example
 * ```ts
 * credentials.register('graph', { source, origins: ['https://graph.microsoft.com'] })
 * axios.interceptors.request.use(authInterceptor('graph'))
 * ```
 */
export function authInterceptor(credential: Credential, options?: RequestAuthOptions): AxiosAuthInterceptor {
  const auth = new RequestAuth(credential, options)
  const wrapAdapter = wrapOnce<AxiosAdapter>((inner) => authAdapter(auth, inner))
  return (config) => {
    config.adapter = wrapAdapter(axios.getAdapter(config.adapter ?? axios.defaults.adapter, config))
    config.beforeRedirect = callerRedirect(config.beforeRedirect)
    return config
  }
}

/**
 * Wraps each function once (one wrapper per inner function, kept while the inner one lives) and
 * returns its own wrappers as they are, so a config seen again is not wrapped twice.
 */
function wrapOnce<F extends object>(make: (inner: F) => F): (current: F) => F {
  const byInner = new WeakMap<F, F>()
  const own = new WeakSet<F>()
  return (current) => {
    if (own.has(current)) return current
    let wrapped = byInner.get(current)
    if (wrapped === undefined) {
      wrapped = make(current)
      own.add(wrapped)
      byInner.set(current, wrapped)
    }
    return wrapped
  }
}
