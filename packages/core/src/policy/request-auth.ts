import { type CredentialRegistry, credentials } from '../credential-registry.ts'
import { ErrorCode, TokenPolicyError, invalidOption } from '../errors.ts'
import type { TokenManager } from '../token-manager.ts'
import type { Token } from '../token.ts'
import { OriginPolicy } from './origins.ts'
import { parseWWWAuthenticate } from './www-authenticate.ts'

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
  /** After a 403 `insufficient_scope` challenge naming scopes, upgrade the token's scopes and retry once. @default false */
  upgradeScopes?: boolean | undefined
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
 * What to do with a request's `Authorization` header:
 * - `attach`: set ours (after removing every case-variant of the header);
 * - `skip`: leave the request untouched (another origin, or the caller's own header);
 * - `strip`: remove the header: it carries one of our tokens to an origin the token may not go to.
 */
export type AuthPlan = 'attach' | 'skip' | 'strip'

/** The part of a response the retry decision reads. */
export interface AuthResponse {
  readonly status: number
  /** The `WWW-Authenticate` field value(s), if any. */
  readonly wwwAuthenticate?: string | readonly string[] | null | undefined
}

/** What the adapter knows about the request that got the response. */
export interface RetryContext {
  /** Whether the body can be sent again (see `isReplayableBody`). */
  readonly replayable: boolean
  /** Whether this response answers the retry already: a second 401 is never retried. */
  readonly retried: boolean
  /** The caller's signal, ending only its own wait for a token. */
  readonly signal?: AbortSignal | undefined
}

/**
 * The request-auth policy of one adapter instance for one credential; every adapter makes all its
 * decisions here. Simple rules:
 * 1. a request to an origin the credential may not reach goes untouched, and no token is fetched
 *    (the manager emits a `skipped` event, once per origin);
 * 2. a caller's own `Authorization` header is left alone; a header carrying one of our tokens is
 *    ours: replaced on a retry, stripped on any origin the token may not go to;
 * 3. the token comes from the manager (`token()` is synchronous when it is cached);
 * 4. a 401 whose challenges admit our scheme (or that has none) is answered by one `reacquire` and
 *    one retry, if the body can be replayed; a second 401 is returned as it is;
 *    `insufficient_claims` passes the challenge's claims to the source; a 403 `insufficient_scope`
 *    upgrades scopes only when `upgradeScopes` is set.
 */
export class RequestAuth {
  readonly #credential: string | TokenManager
  readonly #registry: CredentialRegistry
  readonly #origins: OriginPolicy | undefined
  readonly #retryOnUnauthorized: boolean
  readonly #upgradeScopes: boolean
  #manager: TokenManager | undefined
  #skipped: Set<string> | undefined
  /** The stream-buffering cap, in bytes. */
  readonly maxReplayBytes: number

  constructor(credential: string | TokenManager, options: RequestAuthOptions = {}) {
    if (typeof credential !== 'string' && typeof (credential as TokenManager)?.reacquire !== 'function') {
      throw invalidOption('credential', "a credential name or a TokenManager")
    }
    if (typeof credential === 'string' && credential.length === 0) throw invalidOption('credential', 'a non-empty name')
    this.#credential = credential
    this.#registry = options.registry ?? credentials
    this.#origins =
      options.origins === undefined
        ? undefined
        : new OriginPolicy({ origins: options.origins, dangerouslyAllowInsecureHttp: options.dangerouslyAllowInsecureHttp })
    this.#retryOnUnauthorized = options.retryOnUnauthorized ?? true
    this.#upgradeScopes = options.upgradeScopes ?? false
    const maxReplayBytes = options.maxReplayBytes ?? 0
    if (!Number.isInteger(maxReplayBytes) || maxReplayBytes < 0) {
      throw invalidOption('maxReplayBytes', 'a non-negative integer')
    }
    this.maxReplayBytes = maxReplayBytes
    if (typeof credential !== 'string' || this.#registry.has(credential)) this.#originPolicy(this.manager())
  }

  /**
   * The credential's manager. A name is looked up until it is found, and again once the manager
   * found is closed (the credential was deleted), so a credential registered after the adapter was
   * created, or registered anew, is found. Throws {@link ErrorCode.UNKNOWN_CREDENTIAL}.
   */
  manager(): TokenManager {
    const found = this.#manager
    if (found !== undefined && !found.closed) return found
    return (this.#manager = this.#registry.resolve(this.#credential))
  }

  /**
   * Steps 1 and 2: what to do with a request to `url` carrying `authorization` (or none). Throws
   * {@link ErrorCode.NO_ORIGINS} when the credential may go nowhere.
   */
  plan(url: string | URL, authorization: string | null | undefined): AuthPlan {
    const manager = this.manager()
    const origin = typeof url === 'string' ? originOf(url) : url
    const allowed = this.#originPolicy(manager).allows(origin)
    if (authorization === undefined || authorization === null) {
      if (allowed) return 'attach'
      this.#reportSkipped(manager, origin)
      return 'skip'
    }
    if (manager.recognize(authorization) === undefined) return 'skip'
    return allowed ? 'attach' : 'strip'
  }

  /** Step 3: the token to attach; the token itself when cached, else a promise. */
  token(signal?: AbortSignal): Token | Promise<Token> {
    const manager = this.manager()
    return manager.current() ?? manager.getToken({ signal })
  }

  /**
   * Whether a response with `status` can lead to a retry at all (401, or 403 for a scope upgrade):
   * a cheap test adapters make before gathering what {@link RequestAuth.retryToken} needs.
   */
  mayRetry(status: number): boolean {
    return status === 401 || status === 403
  }

  /**
   * Step 4: after a response to a request sent with `used`. Returns `undefined` when the response
   * goes to the caller as it is, or a promise of the token to resend the request with, once.
   */
  retryToken(response: AuthResponse, used: Token, context: RetryContext): Promise<Token> | undefined {
    const { status } = response
    if (!this.mayRetry(status) || context.retried) return undefined
    const manager = this.manager()
    const challenges = parseWWWAuthenticate(response.wwwAuthenticate)
    const ours = challenges.find((c) => c.scheme.toLowerCase() === used.tokenType.toLowerCase())
    if (status === 403) {
      const scope = ours?.params.error === 'insufficient_scope' ? ours.params.scope : undefined
      if (!this.#upgradeScopes || scope === undefined || !context.replayable) return undefined
      return manager.upgradeScopes(scope.split(' '), { signal: context.signal })
    }
    if (!this.#retryOnUnauthorized || (challenges.length > 0 && ours === undefined)) return undefined
    const claims = ours?.params.error === 'insufficient_claims' ? ours.params.claims : undefined
    const next = manager.reacquire(used, { signal: context.signal, claims })
    if (context.replayable) return next
    next.catch(() => {})
    return undefined
  }

  /**
   * Reports a skipped origin to the manager the first time this policy sees it, as `URL.origin`
   * spells it (never a URL's user or password); later requests to it cost one set look-up.
   */
  #reportSkipped(manager: TokenManager, origin: string | URL): void {
    const key = typeof origin === 'string' ? origin : origin.origin
    const seen = (this.#skipped ??= new Set())
    if (seen.has(key) || seen.size >= MAX_SKIPPED_ORIGINS) return
    seen.add(key)
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

/** The origin part of an absolute URL string (`https://a.example:8443/x?y` → `https://a.example:8443`), without allocating when it is one already. */
function originOf(url: string): string {
  const hostStart = url.indexOf('://') + 3
  if (hostStart === 2) return url
  for (let i = hostStart; i < url.length; i++) {
    const code = url.charCodeAt(i)
    if (code === 47 || code === 63 || code === 35) return url.slice(0, i)
  }
  return url
}
