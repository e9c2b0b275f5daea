import { ErrorCode, TokenError } from '../errors.ts'
import { INSPECT, type Inspect } from '../inspect-symbol.ts'
import { type EndpointCause, endpointCause } from './endpoint-cause.ts'
import { safeText, secretScrubber } from './safe-text.ts'

/** What a {@link TokenEndpointError} is built from. */
export interface TokenEndpointErrorOptions {
  /** `ErrorCode.ENDPOINT_ERROR`, `ErrorCode.MALFORMED` or `ErrorCode.SOURCE_TIMEOUT`. @default ErrorCode.ENDPOINT_ERROR */
  code?: string | undefined
  /** The HTTP status of the answer, when there was one. */
  status?: number | undefined
  /** The OAuth `error` code of the answer. */
  error?: string | undefined
  /** The OAuth `error_description` of the answer. */
  errorDescription?: string | undefined
  /** Seconds the server asked to wait (`Retry-After`). */
  retryAfter?: number | undefined
  /** Whether retrying may help. */
  transient: boolean
  /** The endpoint's URL (origin and path). */
  endpoint?: string | undefined
  /** The credential concerned. */
  credential?: string | undefined
  /** The underlying error (from openid-client, or fetch); only its safe copy is kept, as `cause`. */
  cause?: unknown
  /** Values to blank out of every text the error keeps (client secret, assertions, tokens). */
  secrets?: readonly (string | undefined)[] | undefined
}

const MAX_DESCRIPTION = 200
const MAX_ERROR_CODE = 64

/**
 * A token endpoint (or a discovery document) answered with an error, could not be reached, timed
 * out, or sent something that is not a usable token. The fields are what the core's retry policy
 * reads: `status`, `error`, `retryAfter` (seconds) and an explicit `transient`.
 *
 * Secret safety: the message and every field hold only the status, the OAuth error code and a
 * sanitised description (printable ASCII, at most 200 characters, with every secret the request
 * carried blanked out). The raw openid-client error, which holds the answer's body and `Response`,
 * is not kept: `cause` is an {@link EndpointCause}, a copy of the error chain with names, scrubbed
 * messages, codes, statuses and stack frames only. `util.inspect` and `toJSON` render it as one line.
 *
 * @example
 * ```ts
 * if (error instanceof TokenEndpointError && error.error === 'invalid_client') alertOperator(error.status)
 * ```
 */
export class TokenEndpointError extends TokenError {
  /** The HTTP status of the answer; `undefined` when none came (network error, timeout). */
  readonly status: number | undefined
  /** The OAuth `error` code (`invalid_grant`, …), when the answer had one. */
  readonly error: string | undefined
  /** The answer's `error_description`, sanitised. */
  readonly errorDescription: string | undefined
  /** Seconds the server asked to wait before trying again. */
  readonly retryAfter: number | undefined
  /** The URL (origin and path) that answered. */
  readonly endpoint: string | undefined
  declare readonly transient: boolean
  /** What the error underneath was, without any body, response or secret (see {@link EndpointCause}). */
  declare readonly cause: EndpointCause | undefined
  readonly #causeSummary: string | undefined

  constructor(message: string, options: TokenEndpointErrorOptions) {
    const scrub = secretScrubber(options.secrets ?? [])
    const cause = endpointCause(options.cause, scrub)
    super(options.code ?? ErrorCode.ENDPOINT_ERROR, scrub(message), {
      cause,
      credential: options.credential,
      transient: options.transient,
    })
    this.status = options.status
    this.error = safeText(options.error, MAX_ERROR_CODE, scrub)
    this.errorDescription = safeText(options.errorDescription, MAX_DESCRIPTION, scrub)
    this.retryAfter = options.retryAfter
    this.endpoint = options.endpoint
    this.#causeSummary = summarize(options.cause, cause)
  }

  /** A secret-free description, safe to log. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      error: this.error,
      errorDescription: this.errorDescription,
      retryAfter: this.retryAfter,
      transient: this.transient,
      endpoint: this.endpoint,
      credential: this.credential,
      cause: this.#causeSummary,
    }
  }

  static {
    Object.defineProperty(this.prototype, INSPECT, {
      value(this: TokenEndpointError, depth: number, options: object, inspect: Inspect): string {
        const { name: _name, message: _message, ...fields } = this.toJSON()
        const stack = this.stack ?? `${this.name}: ${this.message}`
        return depth < 0 ? `[${this.name}: ${this.code}]` : `${stack} ${inspect(fields, { ...options, depth: 1 })}`
      },
    })
  }
}

/**
 * The cause as `Name: message (code)`, followed by its own cause (the detail openid-client wraps,
 * such as which property of the answer was wrong), read from the safe copy.
 */
function summarize(raw: unknown, cause: EndpointCause | undefined): string | undefined {
  if (raw === undefined) return undefined
  if (cause === undefined) return typeof raw
  const describe = (error: EndpointCause): string => `${error.name}: ${error.message}${error.code === undefined ? '' : ` (${error.code})`}`
  const inner = cause.cause === undefined ? '' : ` <- ${describe(cause.cause)}`
  return `${describe(cause)}${inner}`.slice(0, MAX_DESCRIPTION * 2)
}
