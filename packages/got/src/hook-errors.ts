import { type IsOurs, redactHeaders, redactRequest } from '@tokenwarden/core/adapter'
import { type BeforeRequestHook, type Options, type Request, type RequestError, TimeoutError, type Timings } from 'got'

type HookOptions = Parameters<BeforeRequestHook>[0]

/**
 * got's own `TimeoutError` for `timeout.request`, for a request whose wait for a token outlasted
 * it: code `ETIMEDOUT`, event `request`, `Timeout awaiting 'request' for 1000ms`, with the
 * request's `options` and, as got gives an error raised before anything was sent, timings that
 * start and end now. got retries it as it retries its own (`retry.errorCodes` has `ETIMEDOUT`).
 */
export function timeoutError(options: HookOptions | Options, ms: number): TimeoutError {
  const cause = Object.assign(new Error(`Timeout awaiting 'request' for ${ms}ms`), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    event: 'request',
  })
  const now = Date.now()
  const timings = { start: now, error: now, phases: { total: 0 } } as unknown as Timings
  return new TimeoutError(cause as never, timings, options as unknown as Request)
}

/**
 * Redacts our `Authorization` value in every place a got error holds it: `options.headers` (what
 * `util.inspect` and `JSON.stringify` show), and, behind its hidden `request` and `response`, the
 * options got handed to Node and the `ClientRequest` that was sent. A caller's own value is left.
 */
export function redactError(error: RequestError, ours: IsOurs): void {
  redactHeaders(error.options?.headers, ours)
  redactRequest(error.request, ours)
  redactRequest((error.response as { req?: unknown } | undefined)?.req, ours)
}
