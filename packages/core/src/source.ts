import type { DPoPBinding } from './dpop/dpop-binding.ts'
import type { Token, TokenRecord } from './token.ts'

/**
 * Why an acquisition runs:
 * - `initial`: no token yet;
 * - `proactive`: the token is inside its advisory window and is renewed in the background;
 * - `expired`: the token is inside its mandatory window, or past its expiry, and callers wait;
 * - `rejected`: a server answered 401 to the token;
 * - `forced`: {@link TokenManager.refresh} was called;
 * - `scope-upgrade`: {@link TokenManager.upgradeScopes} asked for more scopes;
 * - `claims`: a challenge asked for claims the token lacks.
 */
export type AcquireReason = 'initial' | 'proactive' | 'expired' | 'rejected' | 'forced' | 'scope-upgrade' | 'claims'

/** What a source is told about the acquisition it is asked for. */
export interface AcquireContext {
  /** Aborted when the manager closes; a source should stop its I/O then. */
  readonly signal: AbortSignal
  /** Why the token is needed. */
  readonly reason: AcquireReason
  /** The credential's name. */
  readonly credential: string
  /** The token being replaced, if any. */
  readonly previous: Token | undefined
  /** Scopes to request, when the manager asks for specific ones (after `upgradeScopes`). */
  readonly scopes: readonly string[] | undefined
  /** Claims a challenge asked for (a JSON string), with reason `claims`. */
  readonly claims: string | undefined
  /** Reads the token last persisted in the manager's store (another process may have renewed it). */
  readonly stored: () => Promise<TokenRecord | undefined>
  /**
   * `true` when the caller keeps the process alive for as long as anyone waits for this token (a
   * {@link TokenManager} does): the source's own I/O may then be `unref`'d, so that an acquisition
   * nobody waits for (a prefetch, a background refresh) never holds the process open.
   */
  readonly mayUnref?: boolean | undefined
}

/**
 * The raw answer of a source, before normalisation into a {@link Token}. Durations are seconds;
 * instants are epoch milliseconds. A grant with neither `expiresIn` nor `expiresAt` takes the
 * manager's `defaultExpiresIn`, or never expires by time when that is unset.
 */
export interface TokenGrant {
  /** The access token itself. */
  accessToken: string
  /** The scheme, `Bearer` when absent; `bearer` is normalised to `Bearer`, `dpop` to `DPoP`. */
  tokenType?: string | undefined
  /** Lifetime in seconds, counted from when the request was sent. */
  expiresIn?: number | undefined
  /** Absolute expiry, epoch milliseconds (used when `expiresIn` is absent). */
  expiresAt?: number | undefined
  /** Seconds after which the server advises renewing the token (`refresh_in`). */
  refreshIn?: number | undefined
  /** A refresh token to keep with the access token. */
  refreshToken?: string | undefined
  /** Granted scopes: a space-separated string or a list. Absent means "as requested". */
  scope?: string | readonly string[] | undefined
  /** An OpenID Connect ID token. */
  idToken?: string | undefined
  /**
   * The kind of source that really produced the grant, set by composite sources such as `chain`;
   * the token records it instead of the composite's own `kind`. Absent for ordinary sources.
   */
  source?: string | undefined
}

/**
 * Produces tokens for one credential. A source is called by a {@link TokenManager} only, one call at
 * a time; it signals errors as the token endpoint would: an error's `status` (HTTP status) and
 * `error` (OAuth error code) properties are read to tell transient from terminal failures, and an
 * explicit `transient: boolean` decides outright.
 *
 * @example
 * ```ts
 * const source: TokenSource = { kind: 'vault', acquire: async ({ signal }) => ({ accessToken: await read(signal), expiresIn: 300 }) }
 * ```
 */
export interface TokenSource {
  /** A short name of the source type, recorded on every token it produces (`env`, `client-credentials`, …). */
  readonly kind: string
  /** Produces a grant; must honour `ctx.signal`. */
  acquire(ctx: AcquireContext): Promise<TokenGrant>
  /**
   * The DPoP key this source binds its tokens to, for sources made with `dpop` (RFC 9449): the
   * manager signs a proof with it for every request its `DPoP` tokens are sent with.
   */
  readonly dpop?: DPoPBinding | undefined
}
