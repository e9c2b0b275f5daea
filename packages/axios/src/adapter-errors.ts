import { type IsOurs, redactHeaders, redactRequest } from '@tokenwarden/core/adapter'
import { AxiosError, type InternalAxiosRequestConfig, isAxiosError } from 'axios'

/**
 * The error axios's http adapter raises when `config.timeout` passes, for a request whose wait for
 * a token outlasted it: `timeout of 1000ms exceeded` (or `config.timeoutErrorMessage`), code
 * `ECONNABORTED`, or `ETIMEDOUT` with `transitional.clarifyTimeoutError`, and no `request` (none
 * was sent).
 */
export function timeoutError(config: InternalAxiosRequestConfig): AxiosError {
  const { timeout } = config
  const message = config.timeoutErrorMessage || (timeout ? `timeout of ${timeout}ms exceeded` : 'timeout exceeded')
  const code = config.transitional?.clarifyTimeoutError === true ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED
  return new AxiosError(message, code, config)
}

/**
 * `error`, with our `Authorization` value redacted wherever an `AxiosError` holds it: `config.headers`,
 * `request` (a `ClientRequest`, follow-redirects' request, or a fetch `Request`), `response.config`
 * and `response.request`. The config can still be sent again: the adapter knows the redacted value
 * for its own and attaches a fresh token. Other errors are returned as they are.
 */
export function redactError(error: unknown, ours: IsOurs): unknown {
  if (!isAxiosError(error)) return error
  redactHeaders(error.config?.headers, ours)
  redactRequest(error.request, ours)
  if (error.response !== undefined) {
    redactHeaders(error.response.config?.headers, ours)
    redactRequest(error.response.request, ours)
  }
  return error
}
