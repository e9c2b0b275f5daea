import { Readable } from 'node:stream'
import { type AuthResponse, type RequestAuth, type Token, bufferBody, isReplayableBody } from '@tokenwarden/core'
import {
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  AxiosHeaders,
  isAxiosError,
} from 'axios'

/** What one call of the inner adapter gave: a response, resolved or carried by an `AxiosError`. */
type Outcome =
  | { readonly response: AxiosResponse; readonly rejected: false }
  | { readonly response: AxiosResponse; readonly rejected: true; readonly error: unknown }

/**
 * Wraps `inner` (axios's http or fetch adapter, or the caller's own) so that each request follows
 * the request-auth policy. Rules:
 * 1. `auth.plan` decides from the full URL (`baseURL` + `url`) and the header already set;
 * 2. on `attach`, the token is awaited under `config.signal` and set as `Authorization`;
 * 3. a streamed body is buffered under `auth.maxReplayBytes`, so that it can be replayed;
 * 4. the response (resolved, or carried by an `AxiosError` when `validateStatus` refused it) goes
 *    to `auth.retryToken`; when that gives a token, the first body is let go and `inner` is called
 *    once more with the new token: its outcome, whatever it is, is the caller's.
 */
export function authAdapter(auth: RequestAuth, inner: AxiosAdapter): AxiosAdapter {
  return async (config) => {
    const plan = auth.plan(fullUrl(config), callerAuthorization(config))
    if (plan === 'skip') return inner(config)
    if (plan === 'strip') {
      removeAuthorization(config.headers)
      return inner(config)
    }
    const signal = config.signal as AbortSignal | undefined
    const used = await auth.token(signal)
    setAuthorization(config.headers, used)
    if (auth.maxReplayBytes > 0 && isStream(config.data)) config.data = await buffered(config.data, auth.maxReplayBytes)
    const first = await settle(inner(config))
    const retry = auth.mayRetry(first.response.status)
      ? auth.retryToken(challengeOf(first.response), used, { replayable: isReplayableBody(config.data), retried: false, signal })
      : undefined
    if (retry === undefined) {
      if (first.rejected) throw first.error
      return first.response
    }
    discard(first.response.data)
    setAuthorization(config.headers, await retry)
    return inner(config)
  }
}

/** The request URL as axios's `buildFullPath` makes it: `baseURL` joins a relative `url`, or any `url` when `allowAbsoluteUrls` is false. */
function fullUrl(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? ''
  const { baseURL } = config
  if (baseURL === undefined || baseURL === '') return url
  if (/^([a-z][a-z\d+\-.]*:)?\/\//i.test(url) && config.allowAbsoluteUrls !== false) return url
  return url === '' ? baseURL : `${baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}`
}

/**
 * The caller's `Authorization`: the header (`false` is axios's way to send none, and is the
 * caller's choice too), or the one axios builds from the `auth` option.
 */
function callerAuthorization(config: InternalAxiosRequestConfig): string | undefined {
  const value = config.headers.get('Authorization')
  if (value !== undefined && value !== null) return String(value)
  return config.auth === undefined || config.auth === null ? undefined : 'Basic'
}

/** Removes every case-variant of the header (`AxiosHeaders.delete` removes one at a time). */
function removeAuthorization(headers: AxiosHeaders): void {
  while (headers.delete('Authorization'));
}

function setAuthorization(headers: AxiosHeaders, token: Token): void {
  removeAuthorization(headers)
  headers.set('Authorization', token.authorization)
}

function isStream(data: unknown): data is AsyncIterable<Uint8Array> {
  return typeof data === 'object' && data !== null && Symbol.asyncIterator in data
}

/** The whole body when it fits in `maxBytes`, else a stream that still sends all of it (once). */
async function buffered(data: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer | Readable> {
  const result = await bufferBody(data, maxBytes)
  return result.buffered ? result.body : Readable.from(result.body)
}

function settle(promise: Promise<AxiosResponse>): Promise<Outcome> {
  return promise.then(
    (response): Outcome => ({ response, rejected: false }),
    (error: unknown): Outcome => {
      if (isAxiosError(error) && error.response !== undefined) return { response: error.response, rejected: true, error }
      throw error
    },
  )
}

/** The response as core reads it; `WWW-Authenticate` is looked up only if core asks for it. */
function challengeOf(response: AxiosResponse): AuthResponse {
  return {
    status: response.status,
    get wwwAuthenticate(): string | string[] | undefined {
      const value = AxiosHeaders.from(response.headers as AxiosHeaders).get('WWW-Authenticate')
      return typeof value === 'string' || Array.isArray(value) ? value : undefined
    },
  }
}

/** Lets go of the first response's body when it is a stream (`responseType: 'stream'`). */
function discard(data: unknown): void {
  if (data instanceof Readable) data.destroy()
  else if (data instanceof ReadableStream) data.cancel().catch(() => {})
}
