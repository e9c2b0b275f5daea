import { inspect, type InspectOptionsStylized } from 'node:util'
import { ErrorCode, TokenError } from '../errors.ts'
import { INSPECT } from '../inspect-symbol.ts'

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
  /** The underlying error (from openid-client, or fetch); kept only as `cause`. */
  cause?: unknown
  /** Values to blank out of every text the error keeps (client secret, assertions, tokens). */
  secrets?: readonly (string | undefined)[] | undefined
}

const MAX_DESCRIPTION = 200
const MAX_ERROR_CODE = 64
const MIN_SCRUBBED_SECRET = 6

/**
 * A token endpoint (or a discovery document) answered with an error, could not be reached, timed
 * out, or sent something that is not a usable token. The fields are what the core's retry policy
 * reads: `status`, `error`, `retryAfter` (seconds) and an explicit `transient`.
 *
 * Secret safety: the message and every field hold only the status, the OAuth error code and a
 * sanitised description (printable ASCII, at most 200 characters, with every secret the request
 * carried blanked out). The raw openid-client error, which may hold the whole response, is kept as
 * the non-enumerable `cause` only; `util.inspect` and `toJSON` render it as its name and message.
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
  readonly #causeSummary: string | undefined

  constructor(message: string, options: TokenEndpointErrorOptions) {
    const scrub = scrubber(options.secrets ?? [])
    super(options.code ?? ErrorCode.ENDPOINT_ERROR, scrub(message), {
      cause: options.cause,
      credential: options.credential,
      transient: options.transient,
    })
    this.status = options.status
    this.error = sanitize(options.error, MAX_ERROR_CODE, scrub)
    this.errorDescription = sanitize(options.errorDescription, MAX_DESCRIPTION, scrub)
    this.retryAfter = options.retryAfter
    this.endpoint = options.endpoint
    this.#causeSummary = summarize(options.cause, scrub)
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
      value(this: TokenEndpointError, depth: number, options: InspectOptionsStylized): string {
        const { name: _name, message: _message, ...fields } = this.toJSON()
        const stack = this.stack ?? `${this.name}: ${this.message}`
        return depth < 0 ? `[${this.name}: ${this.code}]` : `${stack} ${inspect(fields, { ...options, depth: 1 })}`
      },
    })
  }
}

/**
 * Replaces every secret of a usable length by `[redacted]`, as it is and in the encodings a server
 * may echo it in (percent-encoded, form-encoded).
 */
function scrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const blanked = new Set<string>()
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < MIN_SCRUBBED_SECRET) continue
    blanked.add(secret).add(encodeURIComponent(secret)).add(new URLSearchParams({ s: secret }).toString().slice(2))
  }
  const ordered = [...blanked].sort((a, b) => b.length - a.length)
  return (text) => ordered.reduce((out, secret) => out.split(secret).join('[redacted]'), text)
}

/** Keeps printable ASCII only, capped at `max` characters, secrets blanked. */
function sanitize(value: unknown, max: number, scrub: (text: string) => string): string | undefined {
  if (typeof value !== 'string') return undefined
  const clean = scrub(value).replace(/[^\x20-\x7e]/g, '').slice(0, max)
  return clean.length === 0 ? undefined : clean
}

/**
 * The cause as `Name: message (code)`, followed by its own cause when that is an error too (the
 * detail openid-client wraps, such as which property of the answer was wrong). Error messages of
 * openid-client and fetch are fixed texts; they are scrubbed all the same.
 */
function summarize(cause: unknown, scrub: (text: string) => string): string | undefined {
  if (cause === undefined) return undefined
  if (!(cause instanceof Error)) return typeof cause
  const describe = (error: Error): string => {
    const code = (error as { code?: unknown }).code
    return `${error.name}: ${error.message}${typeof code === 'string' ? ` (${code})` : ''}`
  }
  const inner = cause.cause instanceof Error ? ` <- ${describe(cause.cause)}` : ''
  return sanitize(`${describe(cause)}${inner}`, MAX_DESCRIPTION * 2, scrub)
}
