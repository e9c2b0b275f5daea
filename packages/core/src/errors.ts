/**
 * Stable error codes. Match on these, never on message text.
 *
 * @example
 * ```ts
 * try { await manager.getToken() }
 * catch (error) { if (isTokenError(error) && error.code === ErrorCode.REAUTHORIZATION_REQUIRED) … }
 * ```
 */
export const ErrorCode = {
  /** The source could not produce a token (after retries, or at once for a terminal error). */
  ACQUISITION_FAILED: 'TOKEN_ACQUISITION_FAILED',
  /** The grant is no longer usable; a person or a new credential must authorize again. */
  REAUTHORIZATION_REQUIRED: 'TOKEN_REAUTHORIZATION_REQUIRED',
  /** A source answered with something that is not a usable token. */
  MALFORMED: 'TOKEN_MALFORMED',
  /** A source answered with a token that already counts as expired. */
  EXPIRES_TOO_SOON: 'TOKEN_EXPIRES_TOO_SOON',
  /** The manager (or the credential pool) was closed. */
  CLOSED: 'TOKEN_MANAGER_CLOSED',
  /** A source could not be read (unset variable, missing file). */
  SOURCE_UNAVAILABLE: 'TOKEN_SOURCE_UNAVAILABLE',
  /** A source ran and failed (a command's non-zero exit). */
  SOURCE_FAILED: 'TOKEN_SOURCE_FAILED',
  /** A token endpoint answered with an error, or could not be reached. */
  ENDPOINT_ERROR: 'TOKEN_ENDPOINT_ERROR',
  /** A source did not answer in time. */
  SOURCE_TIMEOUT: 'TOKEN_SOURCE_TIMEOUT',
  /** Every source of a `chain` failed. */
  CHAIN_EXHAUSTED: 'TOKEN_CHAIN_EXHAUSTED',
  /** Persisting a token through the store failed. */
  STORE_FAILED: 'TOKEN_STORE_FAILED',
  /** A shared store (Redis) did not answer in time, or is resting after failures; the manager works on alone. */
  STORE_UNAVAILABLE: 'TOKEN_STORE_UNAVAILABLE',
  /** A store was used after its `close()`. */
  STORE_CLOSED: 'TOKEN_STORE_CLOSED',
  /** No credential of that name is registered. */
  UNKNOWN_CREDENTIAL: 'TOKEN_UNKNOWN_CREDENTIAL',
  /** An adapter's credential resolver threw, or returned something else than a manager, a name or `undefined`. */
  RESOLVER_FAILED: 'TOKEN_RESOLVER_FAILED',
  /** A credential of that name is already registered. */
  CREDENTIAL_EXISTS: 'TOKEN_CREDENTIAL_EXISTS',
  /** A credential pool's template threw for a key, or returned no manager options. */
  TEMPLATE_FAILED: 'TOKEN_TEMPLATE_FAILED',
  /** The credential has no origins: its token may go nowhere. */
  NO_ORIGINS: 'TOKEN_NO_ORIGINS',
  /** A bearer token would travel over plain http to a host that is not loopback. */
  INSECURE_TRANSPORT: 'TOKEN_INSECURE_TRANSPORT',
  /** A credential with `dpop: { required: true }` was issued a token that is not DPoP-bound. */
  DPOP_NOT_BOUND: 'TOKEN_DPOP_NOT_BOUND',
  /**
   * A DPoP-bound request would be sent again without a new proof (undici: an interceptor composed
   * inside the auth interceptor redirected or retried it); it is failed instead.
   */
  DPOP_STALE_PROOF: 'TOKEN_DPOP_STALE_PROOF',
  /**
   * A redirect an adapter cannot follow with the token: a browser's fetch hides it
   * (`opaqueredirect`) and the request carries a DPoP proof signed for its first URL (or was sent
   * with a method that must not be sent twice); or axios's synchronous `beforeRedirect` would need a
   * proof WebCrypto signs asynchronously. The server did receive the request.
   */
  REDIRECT_NOT_FOLLOWED: 'TOKEN_REDIRECT_NOT_FOLLOWED',
  /**
   * A streamed request body a browser cannot send: it did not fit under `maxReplayBytes` (browsers
   * send a stream only over HTTP/2, or not at all); give a `Blob`, bytes or a string instead.
   */
  STREAM_BODY_UNSUPPORTED: 'TOKEN_STREAM_BODY_UNSUPPORTED',
  /** An option is missing or of the wrong type or value (thrown as a `TypeError`). */
  INVALID_OPTION: 'TOKEN_INVALID_OPTION',
} as const

/** One of the values of {@link ErrorCode}. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode]

const brand = Symbol.for('tokenwarden.error')

/** Properties every tokenwarden error may carry besides its message. */
export interface TokenErrorOptions {
  /** The underlying error. */
  cause?: unknown
  /** The credential the error concerns. */
  credential?: string | undefined
  /** Whether retrying may help; decides the retry policy when set. */
  transient?: boolean | undefined
  /** Epoch ms before which the manager will not call the source again (a failure's cool-down). */
  retryAt?: number | undefined
}

/**
 * The base of every error tokenwarden raises about tokens. `instanceof TokenError` works even when
 * two copies of `@tokenwarden/core` are loaded, through a `Symbol.for` brand. Messages never hold a
 * secret; the original error is kept as `cause`.
 */
export class TokenError extends Error {
  /** A stable code from {@link ErrorCode}. */
  readonly code: string
  /** The credential the error concerns, when known. */
  readonly credential: string | undefined
  /** `true` when retrying may help, `false` when it cannot, `undefined` when unknown. */
  readonly transient: boolean | undefined
  /**
   * Set on a failed acquisition's error: the epoch ms before which the manager answers with this
   * same error instead of calling the source again (its cool-down). `undefined` otherwise.
   */
  readonly retryAt: number | undefined

  constructor(code: string, message: string, options: TokenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.credential = options.credential
    this.transient = options.transient
    this.retryAt = options.retryAt
    Object.defineProperty(this, brand, { value: true })
    Object.defineProperty(this, 'name', { value: new.target.name, configurable: true, writable: true })
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === TokenError) return isTokenError(value)
    return Function.prototype[Symbol.hasInstance].call(this, value)
  }
}

/** The source could not produce a token: retries were spent, or the error was terminal. */
export class TokenAcquisitionError extends TokenError {
  /** How many attempts were made. */
  readonly attempts: number

  constructor(message: string, options: TokenErrorOptions & { attempts?: number; code?: string } = {}) {
    super(options.code ?? ErrorCode.ACQUISITION_FAILED, message, options)
    this.attempts = options.attempts ?? 1
  }
}

/**
 * The grant cannot be renewed without a new authorization (an expired refresh token, scopes the
 * grant does not cover). `scopes` and `claims` say what a new authorization must ask for.
 */
export class ReauthorizationRequiredError extends TokenError {
  /** The scopes a new authorization must grant. */
  readonly scopes: readonly string[]
  /** The claims a new authorization must satisfy (a JSON string), when a challenge asked for some. */
  readonly claims: string | undefined

  constructor(
    message: string,
    options: TokenErrorOptions & { scopes?: readonly string[]; claims?: string | undefined } = {},
  ) {
    super(ErrorCode.REAUTHORIZATION_REQUIRED, message, { ...options, transient: false })
    this.scopes = Object.freeze([...(options.scopes ?? [])])
    this.claims = options.claims
  }
}

/** A request or configuration the policy refuses: no origins, plain http, unknown credential. */
export class TokenPolicyError extends TokenError {}

/** Records on `error` the end of its cool-down (see {@link TokenError.retryAt}); for the manager. */
export function setRetryAt(error: TokenError, at: number): void {
  Object.defineProperty(error, 'retryAt', { value: at, enumerable: true, configurable: true, writable: false })
}

/** Tells whether `value` is a tokenwarden error, from this copy of the package or another. */
export function isTokenError(value: unknown): value is TokenError {
  return typeof value === 'object' && value !== null && (value as { [brand]?: unknown })[brand] === true
}

/** A `TypeError` for a bad option, naming it. */
export interface InvalidOptionError extends TypeError {
  readonly code: typeof ErrorCode.INVALID_OPTION
  /** The option's name, such as `refreshBefore` or `origins[1]`. */
  readonly option: string
}

/** Builds the coded `TypeError` for a bad option; the message names the option, never its value. */
export function invalidOption(option: string, expected: string): InvalidOptionError {
  const error = new TypeError(`"${option}" must be ${expected}`) as TypeError & { code: string; option: string }
  error.code = ErrorCode.INVALID_OPTION
  error.option = option
  return error as InvalidOptionError
}
