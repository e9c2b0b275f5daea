import { WWWAuthenticateChallengeError } from 'openid-client'
import { systemClock } from '../clock.ts'
import { ErrorCode, isTokenError } from '../errors.ts'
import { isTransientError, parseRetryAfter } from '../retry-policy.ts'
import type { HttpExchange } from './http-exchange.ts'
import { TokenEndpointError } from './token-endpoint-error.ts'

/** What {@link endpointFailure} needs besides the error. */
export interface FailureContext {
  /** `token endpoint` or `discovery document`, for messages. */
  what: string
  credential?: string | undefined
  signal?: AbortSignal | undefined
  timeoutMs: number
  secrets: readonly (string | undefined)[]
}

/**
 * Turns whatever an openid-client call threw into the error a source throws. Rules, in order:
 * - the caller's abort wins: its reason is returned as is; tokenwarden errors pass through;
 * - a timeout → `TOKEN_SOURCE_TIMEOUT`, transient; a network failure → transient;
 * - no request sent (a local problem) → terminal;
 * - an HTTP error answer → `TOKEN_ENDPOINT_ERROR` with `status`, the OAuth `error` (from the body,
 *   or a `WWW-Authenticate` challenge), `retryAfter` in seconds, and `transient` as the core's retry
 *   policy decides: 5xx, 408, 425, 429, `temporarily_unavailable`, `slow_down` and `server_error`
 *   are transient, `invalid_client`, `invalid_grant`, … and every other 4xx terminal;
 * - any other answer (a 200 that openid-client rejected, a redirect) → `TOKEN_MALFORMED`, terminal.
 */
export function endpointFailure(error: unknown, exchange: HttpExchange, context: FailureContext): unknown {
  if (context.signal?.aborted === true) return context.signal.reason
  if (isTokenError(error)) return error
  const base = { credential: context.credential, secrets: context.secrets, endpoint: exchange.url, cause: error }
  if (exchange.timedOut) {
    return new TokenEndpointError(`the ${context.what} did not answer within ${context.timeoutMs} ms`, {
      ...base,
      code: ErrorCode.SOURCE_TIMEOUT,
      transient: true,
    })
  }
  if (exchange.failed) return new TokenEndpointError(`the ${context.what} could not be reached`, { ...base, transient: true })
  const status = exchange.status
  if (status === undefined) {
    return new TokenEndpointError(`the request to the ${context.what} could not be made`, { ...base, transient: false })
  }
  if (status < 400) {
    const detail = status === 200 ? 'is not usable' : `has status ${status}`
    return malformedAnswer(`the ${context.what}'s answer ${detail}`, exchange, context, error)
  }
  const body = exchange.json()
  const code = oauthErrorCode(error, body)
  const retryAfter = parseRetryAfter(exchange.headers?.get('retry-after'), systemClock.now())
  const shown = code !== undefined && /^[\w.:-]{1,64}$/.test(code) ? ` ${code}` : ''
  return new TokenEndpointError(`the ${context.what} answered ${status}${shown}`, {
    ...base,
    status,
    error: code,
    errorDescription: stringField(body?.error_description) ?? challengeParameter(error, 'error_description'),
    retryAfter,
    transient: isTransientError({ status, error: code }),
  })
}

/** A `TOKEN_MALFORMED` error: the server answered, but not with something usable. Terminal. */
export function malformedAnswer(
  message: string,
  exchange: HttpExchange,
  context: FailureContext,
  cause?: unknown,
): TokenEndpointError {
  return new TokenEndpointError(message, {
    code: ErrorCode.MALFORMED,
    status: exchange.status,
    transient: false,
    endpoint: exchange.url,
    credential: context.credential,
    secrets: context.secrets,
    cause,
  })
}

function oauthErrorCode(error: unknown, body: Record<string, unknown> | undefined): string | undefined {
  const own = (error as { error?: unknown } | null)?.error
  return stringField(own) ?? stringField(body?.error) ?? challengeParameter(error, 'error')
}

function challengeParameter(error: unknown, name: string): string | undefined {
  if (!(error instanceof WWWAuthenticateChallengeError)) return undefined
  for (const challenge of error.cause) {
    const value = stringField((challenge.parameters as Readonly<Record<string, unknown>>)[name])
    if (value !== undefined) return value
  }
  return undefined
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined
}
