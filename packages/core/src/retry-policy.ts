/**
 * Which failures are worth retrying, and when. Simple rules:
 * - an error's own `transient: true | false` decides outright;
 * - OAuth error codes that no retry can fix (`invalid_client`, `invalid_grant`, …) are terminal;
 *   `temporarily_unavailable` and `slow_down` are transient;
 * - HTTP 408, 425, 429 and 5xx are transient; any other 4xx is terminal;
 * - anything else (network errors, timeouts, a function that threw) is transient.
 * Delays grow exponentially with full jitter, capped, and never undercut a server's `Retry-After`.
 */
export const retryDefaults: Readonly<{ baseDelayInMs: number; maxDelayInMs: number; maxRetryAfterInMs: number }> =
  Object.freeze({
  baseDelayInMs: 500,
  maxDelayInMs: 30_000,
  maxRetryAfterInMs: 5 * 60_000,
})

const TERMINAL_OAUTH_ERRORS = new Set([
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'invalid_target',
  'access_denied',
  'consent_required',
  'login_required',
  'interaction_required',
])
const TRANSIENT_OAUTH_ERRORS = new Set(['temporarily_unavailable', 'slow_down', 'server_error'])
const TRANSIENT_STATUSES = new Set([408, 425, 429])

interface ErrorShape {
  transient?: unknown
  status?: unknown
  error?: unknown
  retryAfter?: unknown
}

/** Tells whether retrying the acquisition that threw `error` may succeed. */
export function isTransientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return true
  const { transient, status, error: code } = error as ErrorShape
  if (typeof transient === 'boolean') return transient
  if (typeof code === 'string') {
    if (TERMINAL_OAUTH_ERRORS.has(code)) return false
    if (TRANSIENT_OAUTH_ERRORS.has(code)) return true
  }
  if (typeof status === 'number') {
    if (status >= 500 || TRANSIENT_STATUSES.has(status)) return true
    if (status >= 400) return false
  }
  return true
}

/**
 * The wait a server asked for, in ms: reads an error's `retryAfter`, in seconds (a number, or the
 * header's text). `undefined` when absent or unreadable.
 */
export function retryAfterMs(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined
  const value = (error as ErrorShape).retryAfter
  const seconds = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined
  return Math.min(seconds * 1000, retryDefaults.maxRetryAfterInMs)
}

/**
 * Converts a `Retry-After` header (delta-seconds or an HTTP date) to seconds from `now` (epoch ms),
 * for sources that put it on their errors as `retryAfter`.
 */
export function parseRetryAfter(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined
  const trimmed = header.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000)
}

/**
 * The default `retryDelay`: exponential backoff with full jitter (a random delay between 0 and
 * `500 ms × 2^(attempt-1)`, capped at 30 s), and never less than the server's `Retry-After`.
 *
 * @param attempt - 1 for the first retry.
 * @param error - the failure being retried.
 * @param random - a number in [0, 1); `Math.random()` by default.
 */
export function defaultRetryDelay(attempt: number, error: unknown, random: number = Math.random()): number {
  const ceiling = Math.min(retryDefaults.maxDelayInMs, retryDefaults.baseDelayInMs * 2 ** Math.max(0, attempt - 1))
  const jittered = random * ceiling
  return Math.max(jittered, retryAfterMs(error) ?? 0)
}
