import { INSPECT, type Inspect } from './inspect-symbol.ts'

const REDACTED = '[redacted]'

/** A token as a {@link TokenStore} keeps it: plain JSON, secrets included. */
export interface TokenRecord {
  accessToken: string
  tokenType: string
  /** Epoch ms, absent when the expiry is unknown. */
  expiresAt?: number | undefined
  /** Epoch ms at which a proactive refresh starts. */
  refreshAt?: number | undefined
  scope: string[]
  refreshToken?: string | undefined
  idToken?: string | undefined
  /** Epoch ms at which the token request was sent. */
  issuedAt: number
  /** The kind of source that produced the token. */
  source: string
  /** For a DPoP-bound token: the thumbprint of the key it is bound to (its `cnf.jkt`). */
  jkt?: string | undefined
}

/** The fields a {@link Token} is built from. */
export interface TokenInit extends TokenRecord {
  generation: number
}

/**
 * A normalised token. The secrets (`accessToken`, `refreshToken`, `idToken`) live in private fields
 * behind getters: `String(token)`, `JSON.stringify(token)`, `util.inspect(token)` and object spread
 * never show them.
 */
export class Token {
  readonly #accessToken: string
  readonly #refreshToken: string | undefined
  readonly #idToken: string | undefined
  #authorization: string | undefined

  /** The scheme: `Bearer`, `DPoP`, … */
  readonly tokenType: string
  /** Epoch ms after which the token is no longer valid; `undefined` when unknown. */
  readonly expiresAt: number | undefined
  /** Epoch ms from which the manager renews the token in the background; `undefined` for never. */
  readonly refreshAt: number | undefined
  /** Granted scopes. */
  readonly scope: readonly string[]
  /** Grows with each token a manager publishes; compare it to tell which of two tokens is newer. */
  readonly generation: number
  /** Epoch ms at which the request that produced the token was sent. */
  readonly issuedAt: number
  /** The kind of source that produced it (for a `chain`, the member that answered). */
  readonly source: string
  /** For a DPoP-bound token: the thumbprint of the key it is bound to (its `cnf.jkt`). */
  readonly jkt: string | undefined

  constructor(init: TokenInit) {
    this.#accessToken = init.accessToken
    this.#refreshToken = init.refreshToken
    this.#idToken = init.idToken
    this.tokenType = init.tokenType
    this.expiresAt = init.expiresAt
    this.refreshAt = init.refreshAt
    this.scope = Object.freeze([...init.scope])
    this.generation = init.generation
    this.issuedAt = init.issuedAt
    this.source = init.source
    this.jkt = init.jkt
  }

  /** The access token. Treat it as a secret. */
  get accessToken(): string {
    return this.#accessToken
  }

  /** The refresh token, if the grant had one. Treat it as a secret. */
  get refreshToken(): string | undefined {
    return this.#refreshToken
  }

  /** The OpenID Connect ID token, if the grant had one. */
  get idToken(): string | undefined {
    return this.#idToken
  }

  /** The `Authorization` header value, `<tokenType> <accessToken>`, built once. */
  get authorization(): string {
    this.#authorization ??= `${this.tokenType} ${this.#accessToken}`
    return this.#authorization
  }

  /** The plain record a store persists (secrets included). */
  toRecord(): TokenRecord {
    return {
      accessToken: this.#accessToken,
      tokenType: this.tokenType,
      expiresAt: this.expiresAt,
      refreshAt: this.refreshAt,
      scope: [...this.scope],
      refreshToken: this.#refreshToken,
      idToken: this.#idToken,
      issuedAt: this.issuedAt,
      source: this.source,
      ...(this.jkt === undefined ? {} : { jkt: this.jkt }),
    }
  }

  /** A redacted description, safe to log. */
  toJSON(): Record<string, unknown> {
    return {
      tokenType: this.tokenType,
      accessToken: REDACTED,
      ...(this.#refreshToken === undefined ? {} : { refreshToken: REDACTED }),
      ...(this.#idToken === undefined ? {} : { idToken: REDACTED }),
      expiresAt: this.expiresAt === undefined ? undefined : new Date(this.expiresAt).toISOString(),
      refreshAt: this.refreshAt === undefined ? undefined : new Date(this.refreshAt).toISOString(),
      scope: this.scope,
      generation: this.generation,
      source: this.source,
    }
  }

  /** A redacted one-line description, safe to log. */
  toString(): string {
    const expiry = this.expiresAt === undefined ? 'no expiry' : `expires ${new Date(this.expiresAt).toISOString()}`
    return `Token(${this.tokenType} ${REDACTED}, generation ${this.generation}, ${expiry}, from ${this.source})`
  }

  static {
    Object.defineProperty(this.prototype, INSPECT, {
      value(this: Token, _depth: number, options: object, inspect: Inspect): string {
        return `Token ${inspect(this.toJSON(), { ...options, depth: 1 })}`
      },
    })
  }
}
