import { Readable } from 'node:stream'
import {
  type AuthResponse,
  type IsOurs,
  type RequestAuth,
  type WaitBounds,
  bufferBody,
  isRedactedAuthorization,
  isReplayableBody,
  retryTokenWithin,
  tokenWithin,
} from '@tokenwarden/core'
import {
  type AxiosAdapter,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
  AxiosHeaders,
  isAxiosError,
} from 'axios'
import { redactError, timeoutError } from './adapter-errors.ts'

/** A URL with a scheme, or protocol-relative (`//host/…`), as axios's `isAbsoluteURL` tells it. */
const ABSOLUTE_URL = /^([a-z][a-z\d+\-.]*:)?\/\//i

/**
 * Wraps `inner` (axios's http or fetch adapter, or the caller's own) so that each request follows
 * the request-auth policy. Rules:
 * 1. `auth.plan` decides from the full URL (`baseURL` + `url`) and the header already set; a
 *    header an error redacted (a config sent again) counts as ours;
 * 2. on `attach`, the token is awaited under `config.signal` and `config.timeout` (which ends the
 *    wait with axios's own timeout error) and set as `Authorization`;
 * 3. a streamed body is buffered under `auth.maxReplayBytes`, so that it can be replayed;
 * 4. the response (resolved, or carried by an `AxiosError` when `validateStatus` refused it) goes
 *    to `auth.retryToken`; when that gives a token, the first body is let go and `inner` is called
 *    once more with the new token: its outcome, whatever it is, is the caller's;
 * 5. an error leaving the adapter has our `Authorization` value redacted (the caller's own is theirs).
 */
export function authAdapter(auth: RequestAuth, inner: AxiosAdapter): AxiosAdapter {
  return async (config) => {
    let caller = callerAuthorization(config)
    if (isRedactedAuthorization(caller)) {
      removeAuthorization(config.headers)
      caller = undefined
    }
    const plan = auth.plan(targetOf(config), caller)
    if (plan === 'skip') return inner(config)
    if (caller !== undefined) removeAuthorization(config.headers)
    if (plan === 'strip') return inner(config)
    try {
      return await send(auth, inner, config)
    } catch (error) {
      const manager = auth.manager()
      const ours: IsOurs = (value) => manager.recognize(value) !== undefined
      throw redactError(error, ours)
    }
  }
}

/** Steps 2 to 4, for a request that carries our token. */
async function send(auth: RequestAuth, inner: AxiosAdapter, config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
  const token = auth.manager().current() ?? tokenWithin(auth, boundsOf(config))
  const used = token instanceof Promise ? await token : token
  config.headers.set('Authorization', used.authorization)
  if (auth.maxReplayBytes > 0 && isStream(config.data)) config.data = await buffered(config.data, auth.maxReplayBytes)
  let response: AxiosResponse
  let rejection: { error: unknown } | undefined
  try {
    response = await inner(config)
  } catch (error) {
    if (!isAxiosError(error) || error.response === undefined) throw error
    response = error.response
    rejection = { error }
  }
  const retry = auth.mayRetry(response.status)
    ? retryTokenWithin(auth, challengeOf(response), used, { replayable: isReplayableBody(config.data), retried: false }, boundsOf(config))
    : undefined
  if (retry === undefined) {
    if (rejection !== undefined) throw rejection.error
    return response
  }
  discard(response.data)
  const next = await retry
  removeAuthorization(config.headers)
  config.headers.set('Authorization', next.authorization)
  return inner(config)
}

/** What bounds a wait for a token: the request's signal and `timeout` (axios's own timeout error when it passes). */
function boundsOf(config: InternalAxiosRequestConfig): WaitBounds {
  return { signal: config.signal as AbortSignal | undefined, timeoutMs: Number(config.timeout), timedOut: () => timeoutError(config) }
}

/**
 * A URL with the request's origin, as axios's `buildFullPath` resolves it: `url` when absolute
 * (and `allowAbsoluteUrls` is not false), else `baseURL`, which `url` is appended to.
 */
function targetOf(config: InternalAxiosRequestConfig): string {
  const url = config.url ?? ''
  const { baseURL } = config
  if (baseURL === undefined || baseURL === '') return url
  return ABSOLUTE_URL.test(url) && config.allowAbsoluteUrls !== false ? url : baseURL
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

function isStream(data: unknown): data is AsyncIterable<Uint8Array> {
  return typeof data === 'object' && data !== null && Symbol.asyncIterator in data
}

/** The whole body when it fits in `maxBytes`, else a stream that still sends all of it (once). */
async function buffered(data: AsyncIterable<Uint8Array>, maxBytes: number): Promise<Buffer | Readable> {
  const result = await bufferBody(data, maxBytes)
  return result.buffered ? result.body : Readable.from(result.body)
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
