import { Readable } from 'node:stream'
import { type AuthRequest, type IsOurs, type RequestAuth, type RequestView, isStreamBody } from '@tokenwarden/core/adapter'
import { type AxiosAdapter, type AxiosResponse, type InternalAxiosRequestConfig, AxiosHeaders, isAxiosError } from 'axios'
import { redactError, timeoutError } from './adapter-errors.ts'
import { redirectGuard } from './redirect-guard.ts'

/** A URL with a scheme, or protocol-relative (`//host/…`), as axios's `isAbsoluteURL` tells it. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i

/**
 * Wraps `inner` (axios's http or fetch adapter, or the caller's own) so that each request follows
 * the request-auth policy; core decides, this only translates. Rules:
 * 1. `auth.begin` reads the config: full URL (`baseURL` + `url`), `Authorization`, the `auth`
 *    option, the serialised body, `signal` and `timeout` (axios's own timeout error ends a wait);
 * 2. untouched: `inner` as it is; stripped: every case-variant of `Authorization` and `DPoP` removed first;
 * 3. else the request's own `beforeRedirect` guard is installed, and each send carries core's
 *    `authorization`, its `DPoP` proof when the token is DPoP-bound, and body (a stream too large
 *    to buffer goes as a `Readable`);
 * 4. every response (resolved, or carried by an `AxiosError` when `validateStatus` refused it) goes
 *    to `respond`; on a retry the first body is let go and `inner` is called again;
 * 5. an error leaving the adapter has our `Authorization` value redacted (the caller's own is theirs).
 */
export function authAdapter(auth: RequestAuth, inner: AxiosAdapter): AxiosAdapter {
  return async (config) => {
    const plan = auth.begin(viewOf(config))
    if (plan === 'untouched') return inner(config)
    removeAuthorization(config.headers)
    if (plan === 'strip') return inner(config)
    const ours: IsOurs = (value) => plan.isOurs(value)
    config.beforeRedirect = redirectGuard(plan, ours, config.beforeRedirect)
    try {
      return await send(plan, inner, config)
    } catch (error) {
      throw redactError(error, ours)
    }
  }
}

/** Steps 3 and 4, for a request that carries our token. */
async function send(request: AuthRequest, inner: AxiosAdapter, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const ready = request.ready()
  if (ready !== undefined) await ready
  const { body } = request
  if (body !== config.data) config.data = nodeBody(body)
  for (;;) {
    config.headers.set('Authorization', request.authorization)
    if (request.dpop !== undefined) config.headers.set('DPoP', request.dpop)
    let response: AxiosResponse
    let rejection: { error: unknown } | undefined
    try {
      response = await inner(config)
    } catch (error) {
      if (!isAxiosError(error) || error.response === undefined) throw error
      response = error.response
      rejection = { error }
    }
    const retry = request.respond(response.status, headerOf(response))
    if (retry === undefined) {
      if (rejection !== undefined) throw rejection.error
      return response
    }
    discard(response.data)
    await retry
  }
}

/** The request as core reads it. */
function viewOf(config: InternalAxiosRequestConfig): RequestView {
  const header = config.headers.get('Authorization')
  return {
    url: targetOf(config),
    method: config.method ?? 'get',
    authorization: Array.isArray(header) ? header[0] : typeof header === 'string' ? header : undefined,
    callerAuthenticates: header === false || (config.auth !== undefined && config.auth !== null),
    body: config.data,
    headers: () => headerRecord(config.headers),
    signal: config.signal as AbortSignal | undefined,
    timeoutMs: Number(config.timeout),
    timedOut: () => timeoutError(config),
  }
}

/**
 * The request's absolute URL, as axios's `buildFullPath` resolves it: `url` when absolute (and
 * `allowAbsoluteUrls` is not false), else `baseURL` and `url` joined by one slash. The query string
 * axios adds from `params` is left out: no decision reads it (a DPoP proof's `htu` has none).
 */
function targetOf(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? ''
  const { baseURL } = config
  if (baseURL === undefined || baseURL === '' || (ABSOLUTE_URL.test(url) && config.allowAbsoluteUrls !== false)) return url
  return url === '' ? baseURL : `${baseURL.replace(/\/?\/$/, '')}/${url.replace(/^\/+/, '')}`
}

/** The request's headers as a record with lower-case names, for a credential resolver. */
function headerRecord(headers: AxiosHeaders): Record<string, string> {
  const record: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers.toJSON())) {
    if (value !== undefined && value !== null) record[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
  }
  return record
}

/** Removes every case-variant of `Authorization` and `DPoP` (`AxiosHeaders.delete` removes one at a time). */
function removeAuthorization(headers: AxiosHeaders): void {
  while (headers.delete('Authorization'));
  while (headers.delete('DPoP'));
}

/** A response's header by name, for core; read only when core asks. */
function headerOf(response: AxiosResponse): (name: string) => string | string[] | undefined {
  return (name) => {
    const value = AxiosHeaders.from(response.headers as AxiosHeaders).get(name)
    return typeof value === 'string' || Array.isArray(value) ? value : undefined
  }
}

/** Lets go of the first response's body when it is a stream (`responseType: 'stream'`). */
function discard(data: unknown): void {
  if (data instanceof Readable) data.destroy()
  else if (data instanceof ReadableStream) data.cancel().catch(() => {})
}

/** The body core made ready, as axios's http adapter takes it: a stream as a `Readable`, bytes as a `Buffer`. */
function nodeBody(body: unknown): unknown {
  if (isStreamBody(body)) return body instanceof Readable ? body : Readable.from(body)
  return body instanceof Uint8Array && !Buffer.isBuffer(body) ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : body
}
