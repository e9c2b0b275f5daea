import { isRedactedAuthorization } from '../adapter-support/redaction.ts'
import { type CredentialRegistry, credentials } from '../credential-registry.ts'
import { ErrorCode, TokenPolicyError, invalidOption } from '../errors.ts'
import type { TokenManager } from '../token-manager.ts'
import { AuthRequest, type RequestView } from './auth-request.ts'
import { type ChallengeOptions, checkChallenges } from './challenge-decision.ts'
import { OriginPolicy, originOf } from './origins.ts'

/** Options every adapter accepts, with the same meaning everywhere. */
export interface RequestAuthOptions {
  /** Where to look a credential name up. @default credentials */
  registry?: CredentialRegistry | undefined
  /**
   * Origins this adapter may send the token to, in place of the credential's own
   * (`https://api.example.com`, `https://*.example.com`). @default the credential's `origins`
   */
  origins?: readonly string[] | undefined
  /** Allows `http:` origins that are not loopback in `origins`. Tokens are then readable on the wire. @default false */
  dangerouslyAllowInsecureHttp?: boolean | undefined
  /** Retry once with a new token after a 401. @default true */
  retryOnUnauthorized?: boolean | undefined
  /**
   * How 401 and 403 challenges are answered through this adapter: scope upgrades, and a hook for
   * other challenges. Each member given replaces the credential's own (`challenges` of the credential).
   */
  challenges?: ChallengeOptions | undefined
  /**
   * Largest streamed request body, in bytes, buffered so it can be replayed after a 401. A larger
   * stream is sent as it is and its 401 is returned to the caller. `0` never buffers streams.
   * @default 0
   */
  maxReplayBytes?: number | undefined
}

/** Origins a policy remembers having reported as skipped. */
const MAX_SKIPPED_ORIGINS = 256

/**
 * What {@link RequestAuth.begin} answers for a request:
 * - `'untouched'`: send it as it is (another origin, or the caller's own authentication);
 * - `'strip'`: remove every case-variant of `Authorization`: it carries one of our tokens to an
 *   origin the token may not go to;
 * - an {@link AuthRequest}: the request carries the token; the object holds what to send.
 */
export type AuthPlan = 'untouched' | 'strip' | AuthRequest

/** A request as a {@link CredentialResolver} sees it: the same view in every adapter. */
export interface RequestInfo {
  /** The absolute URL the request goes to. */
  readonly url: string | URL
  /** The request's method, as the client holds it. */
  readonly method: string
  /** The request's headers, names lower-case (built when first read). */
  readonly headers: Readonly<Record<string, string>>
}

/**
 * Chooses the credential of each request: a `TokenManager` (a pool's `get(key)`), a registered
 * credential's name, or `undefined` to send the request untouched. Called synchronously for every
 * request; what it throws fails that request with `TOKEN_RESOLVER_FAILED`.
 */
export type CredentialResolver = (request: RequestInfo) => TokenManager | string | undefined

/** What an adapter is given as its credential: a name, a manager, or a resolver called per request. */
export type Credential = string | TokenManager | CredentialResolver

/**
 * The request-auth policy of one adapter instance for one credential; every adapter makes all its
 * decisions here, through one {@link AuthRequest} per request. Simple rules:
 * 1. a request to an origin the credential may not reach goes untouched, and no token is fetched
 *    (the manager emits a `skipped` event, once per origin);
 * 2. a caller's own `Authorization` header is left alone; a header carrying one of our tokens (or
 *    one an adapter redacted in an error, sent again) is ours: replaced where the token may go,
 *    stripped anywhere else;
 * 3. the token comes from the manager, synchronously when it is cached;
 * 4. a 401 or 403 is answered as its challenges say (`decideChallenge`), at most once per
 *    kind of retry and three sends per request.
 */
export class RequestAuth {
  readonly #credential: string | TokenManager
  readonly #resolver: CredentialResolver | undefined
  readonly #registry: CredentialRegistry
  readonly #origins: OriginPolicy | undefined
  #manager: TokenManager | undefined
  #skipped: Set<string> | undefined
  /** The stream-buffering cap, in bytes. */
  readonly maxReplayBytes: number
  /** Whether a 401 may lead to a new token and a resend. */
  readonly retryOnUnauthorized: boolean
  /** How challenges are answered, over the credential's own `challenges` (adapter option). */
  readonly #challenges: ChallengeOptions | undefined

  constructor(credential: Credential, options: RequestAuthOptions = {}) {
    const resolver = typeof credential === 'function' ? credential : undefined
    if (resolver === undefined && typeof credential !== 'string' && typeof (credential as TokenManager)?.reacquire !== 'function') {
      throw invalidOption('credential', 'a credential name, a TokenManager or a resolver function')
    }
    if (typeof credential === 'string' && credential.length === 0) throw invalidOption('credential', 'a non-empty name')
    this.#resolver = resolver
    this.#credential = resolver === undefined ? (credential as string | TokenManager) : ''
    this.#registry = options.registry ?? credentials
    this.#origins =
      options.origins === undefined
        ? undefined
        : new OriginPolicy({ origins: options.origins, dangerouslyAllowInsecureHttp: options.dangerouslyAllowInsecureHttp })
    this.retryOnUnauthorized = options.retryOnUnauthorized ?? true
    this.#challenges = options.challenges === undefined ? undefined : checkChallenges(options.challenges, 'challenges')
    const maxReplayBytes = options.maxReplayBytes ?? 0
    if (!Number.isInteger(maxReplayBytes) || maxReplayBytes < 0) {
      throw invalidOption('maxReplayBytes', 'a non-negative integer')
    }
    this.maxReplayBytes = maxReplayBytes
    if (resolver !== undefined) return
    if (typeof credential !== 'string' || this.#registry.has(credential)) this.#originPolicy(this.manager())
  }

  /**
   * The credential's manager. A name is looked up until it is found, and again once the manager
   * found is closed (the credential was deleted), so a credential registered after the adapter was
   * created, or registered anew, is found. Throws {@link ErrorCode.UNKNOWN_CREDENTIAL}, and for an
   * adapter given a resolver (whose credential is chosen per request: see {@link AuthRequest.manager}).
   */
  manager(): TokenManager {
    if (this.#resolver !== undefined) {
      throw new TokenPolicyError(ErrorCode.UNKNOWN_CREDENTIAL, 'this adapter chooses its credential per request', { transient: false })
    }
    const found = this.#manager
    if (found !== undefined && !found.closed) return found
    return (this.#manager = this.#registry.resolve(this.#credential))
  }

  /**
   * Steps 1 and 2 for a request: untouched, stripped, or an {@link AuthRequest} that carries the
   * token. Throws {@link ErrorCode.NO_ORIGINS} when the credential may go nowhere, and
   * {@link ErrorCode.UNKNOWN_CREDENTIAL} when a credential name is not registered.
   */
  begin(view: RequestView): AuthPlan {
    const manager = this.#resolver === undefined ? this.manager() : this.#resolve(this.#resolver, view)
    if (manager === undefined) return 'untouched'
    const allowed = this.allows(view.url, manager)
    const header = view.authorization
    if (view.callerAuthenticates === true) return 'untouched'
    if (header === undefined || header === null) {
      if (allowed) return new AuthRequest(this, manager, view)
      this.#reportSkipped(manager, typeof view.url === 'string' ? originOf(view.url) : view.url)
      return 'untouched'
    }
    if (!isRedactedAuthorization(header) && manager.recognize(header) === undefined) return 'untouched'
    return allowed ? new AuthRequest(this, manager, view) : 'strip'
  }

  /** How `manager`'s challenges are answered: the credential's `challenges`, with this adapter's over them. */
  challengesOf(manager: TokenManager): ChallengeOptions {
    const own = this.#challenges
    return own === undefined ? manager.challenges : { ...manager.challenges, ...definedOnly(own) }
  }

  /** Whether `manager`'s token may go to `url`'s origin (a redirect hop). */
  allows(url: string | URL, manager: TokenManager): boolean {
    const policy = this.#originPolicy(manager)
    return typeof url === 'string' ? policy.allowsUrl(url) : policy.allows(url)
  }

  /** The manager the resolver chose for `view`; `undefined` sends it untouched. */
  #resolve(resolver: CredentialResolver, view: RequestView): TokenManager | undefined {
    let chosen: TokenManager | string | undefined
    try {
      chosen = resolver(requestInfo(view))
    } catch (error) {
      throw new TokenPolicyError(ErrorCode.RESOLVER_FAILED, 'the credential resolver threw for a request', { cause: error, transient: false })
    }
    if (chosen === undefined) return undefined
    if (typeof chosen === 'string' && chosen.length > 0) return this.#registry.resolve(chosen)
    if (typeof (chosen as TokenManager | null)?.reacquire === 'function') return chosen as TokenManager
    throw new TokenPolicyError(ErrorCode.RESOLVER_FAILED, 'the credential resolver returned neither a TokenManager, a name nor undefined', {
      transient: false,
    })
  }

  /**
   * Reports a skipped origin to the manager the first time this policy sees it, as `URL.origin`
   * spells it (never a URL's user or password); later requests to it cost one set look-up. With a
   * resolver, each of its managers keeps count itself (once per origin each).
   */
  #reportSkipped(manager: TokenManager, origin: string | URL): void {
    const key = typeof origin === 'string' ? origin : origin.origin
    if (this.#resolver === undefined) {
      const seen = (this.#skipped ??= new Set())
      if (seen.has(key) || seen.size >= MAX_SKIPPED_ORIGINS) return
      seen.add(key)
    }
    try {
      manager.skipped(typeof origin === 'string' ? new URL(origin).origin : key)
    } catch {
      // not a URL: nothing to report
    }
  }

  #originPolicy(manager: TokenManager): OriginPolicy {
    const policy = this.#origins ?? manager.origins
    if (!policy.empty) return policy
    throw new TokenPolicyError(
      ErrorCode.NO_ORIGINS,
      `credential "${manager.name}" has no origins: list where its token may go (origins: ['https://api.example.com'])`,
      { credential: manager.name, transient: false },
    )
  }
}

/** The resolver's view of a request; its headers are read from the adapter only if the resolver reads them. */
function requestInfo(view: RequestView): RequestInfo {
  const read = view.headers
  let headers: Readonly<Record<string, string>> | undefined
  return {
    url: view.url,
    method: view.method,
    get headers() {
      return (headers ??= read === undefined ? {} : typeof read === 'function' ? read() : read)
    },
  }
}

/** `options` without its undefined members, so they do not hide the credential's. */
function definedOnly(options: ChallengeOptions): ChallengeOptions {
  const { upgradeScopes, onChallenge } = options
  return { ...(upgradeScopes === undefined ? {} : { upgradeScopes }), ...(onChallenge === undefined ? {} : { onChallenge }) }
}
