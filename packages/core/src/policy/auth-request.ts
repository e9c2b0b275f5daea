import { type WaitBounds, waitWithin } from '../adapter-support/wait-bounds.ts'
import { INSPECT } from '../inspect-symbol.ts'
import type { TokenManager } from '../token-manager.ts'
import type { Token } from '../token.ts'
import { type ChallengeAction, decideChallenge } from './challenge-decision.ts'
import { decodeClaimsChallenge } from './claims.ts'
import { bufferBody, isReplayableBody, isStreamBody } from './replay.ts'
import type { RequestAuth } from './request-auth.ts'
import { parseWWWAuthenticate } from './www-authenticate.ts'

/**
 * One request as an adapter reads it from its client, before it is sent: the same fields in every
 * adapter. The wait fields bound this request's waits for a token in the client's own terms.
 */
export interface RequestView extends Partial<WaitBounds> {
  /** The absolute URL the request goes to. */
  readonly url: string | URL
  /** The request's method. */
  readonly method: string
  /** The request's `Authorization` value, when it carries one (the first, when repeated). */
  readonly authorization?: string | null | undefined
  /**
   * The request's headers, names lower-case, for a credential resolver: a record, or a function
   * that makes one (called only if the resolver reads them).
   */
  readonly headers?: Readonly<Record<string, string>> | (() => Readonly<Record<string, string>>) | undefined
  /**
   * The caller authenticates the request by other means than a header core could read (axios's
   * `auth` option; got's `authorization: undefined`): the request goes untouched.
   */
  readonly callerAuthenticates?: boolean | undefined
  /** The request's body as the caller gave it; a stream is buffered under `maxReplayBytes`. */
  readonly body?: unknown
}

/** A response's header, by lower-case name, as the adapter's client holds it; read only when needed. */
export type HeaderLookup = (name: string) => string | readonly string[] | null | undefined

/**
 * Why a request is sent again: `nonce`, with a proof carrying the server's new DPoP nonce (no
 * token request); `token`, with a new token (a 401, or a claims challenge); `scope`, after its
 * scopes were upgraded (a 403 `insufficient_scope`).
 */
export type RetryKind = 'nonce' | 'token' | 'scope'

/** A request is sent at most this many times, redirect hops not counted. */
const MAX_SENDS = 3
const KIND_BITS: Readonly<Record<RetryKind, number>> = { token: 1, scope: 2, nonce: 4 }
const noop = (): void => {}
/** The retry each decision leads to. */
const RETRY_KINDS: Readonly<Record<ChallengeAction, RetryKind | undefined>> = {
  nonce: 'nonce',
  reacquire: 'token',
  claims: 'token',
  'upgrade-scopes': 'scope',
  returned: undefined,
}
/** The error a wait rejects with when a client gave a timeout but no error of its own for it. */
const timeoutError = (): unknown => new DOMException('the wait for a token timed out', 'TimeoutError')

/**
 * One request that carries a credential's token, from its first send to the response its caller
 * gets: everything an adapter used to track. Simple rules:
 * - {@link AuthRequest.ready} makes the first send ready: the token (at once when cached: no
 *   promise on the hot path) and, when a streamed body must be replayable, the body buffered;
 * - {@link AuthRequest.authorization}, {@link AuthRequest.dpop} and {@link AuthRequest.body} are
 *   what the adapter sends, each time it sends: a DPoP-bound token gets a new proof for every send
 *   (first send, redirect hop, retry), signed for the URL and method of that send; where the proof
 *   is signed asynchronously (WebCrypto: browsers, workerd), `ready` and `respond` wait for it, and
 *   an adapter waits for {@link AuthRequest.signing} after a redirect hop;
 * - {@link AuthRequest.redirected} tells, for each redirect hop, whether the token goes along;
 * - {@link AuthRequest.respond} reads each response and says whether to send again, with which
 *   token; each retry kind happens at most once, a request is sent at most three times.
 */
export class AuthRequest {
  readonly #auth: RequestAuth
  readonly #manager: TokenManager
  readonly #view: RequestView
  #token: Token | undefined
  #authorization = ''
  #dpop: string | undefined
  /** The proof for the next send while WebCrypto signs it (a runtime without node:crypto); else `undefined`. */
  #signing: Promise<void> | undefined
  /** Counts proofs asked for, so that a slow one never replaces a later one. */
  #proofs = 0
  /** The nonce the last proof carried. */
  #proofNonce: string | undefined
  /** Where and how the next send goes (a redirect hop changes them). */
  #url: string | URL
  #method: string
  #body: unknown
  #replayable: boolean
  /** Whether the last hop went to an origin the token may not go to (sent without it). */
  #stripped = false
  #sends = 0
  #kinds = 0

  /** Made by `RequestAuth.begin`. */
  constructor(auth: RequestAuth, manager: TokenManager, view: RequestView) {
    this.#auth = auth
    this.#manager = manager
    this.#view = view
    this.#url = view.url
    this.#method = view.method
    this.#body = view.body
    this.#replayable = isReplayableBody(view.body)
  }

  /** The token the last send carried. */
  get token(): Token | undefined {
    return this.#token
  }

  /** The manager of the credential this request carries (the one a resolver chose, for a per-request credential). */
  get manager(): TokenManager {
    return this.#manager
  }

  /** Whether an `Authorization` value carries one of this credential's tokens (what errors must redact). */
  isOurs(authorization: string): boolean {
    return authorization === this.#authorization || this.#manager.recognize(authorization) !== undefined
  }

  /** The `Authorization` value to send; set by {@link AuthRequest.ready} and by a retry. */
  get authorization(): string {
    return this.#authorization
  }

  /**
   * The `DPoP` proof to send with a DPoP-bound token (a new one for each send); `undefined` for a
   * bearer token, and while {@link AuthRequest.signing} is pending.
   */
  get dpop(): string | undefined {
    return this.#dpop
  }

  /**
   * While the proof for the next send is being signed asynchronously (WebCrypto, in a runtime
   * without node:crypto, or with a user's non-extractable `CryptoKeyPair`), a promise that resolves
   * once {@link AuthRequest.dpop} holds it; else `undefined` (always, for a bearer token, and where
   * node:crypto signs synchronously). {@link AuthRequest.ready} and {@link AuthRequest.respond}
   * include this wait; an adapter awaits it only after {@link AuthRequest.redirected}.
   */
  get signing(): Promise<void> | undefined {
    return this.#signing
  }

  /**
   * The body to send: the caller's, or, once a stream was buffered, its bytes (a `Uint8Array`),
   * or a stream that yields all of it (an `AsyncIterable`) when it did not fit. Adapters that
   * need their client's own stream type convert the latter.
   */
  get body(): unknown {
    return this.#body
  }

  /** Whether the body can be sent again (a redirect that keeps the method, a retry). */
  get replayable(): boolean {
    return this.#replayable
  }

  static {
    Object.defineProperty(this.prototype, INSPECT, {
      value(this: AuthRequest): string {
        return `AuthRequest ${JSON.stringify(this.toJSON())}`
      },
    })
  }

  /** A description without the token. */
  toJSON(): Record<string, unknown> {
    return { credential: this.#manager.name, token: this.#token?.toJSON(), sends: this.#sends }
  }

  /**
   * Makes the first send ready: `undefined` when it is ready now (the token is cached, the body
   * needs no buffering and no proof is being signed asynchronously), else a promise that resolves
   * once it is, or rejects with the token's error, the request's signal's reason or its client's
   * timeout error.
   */
  ready(): Promise<void> | undefined {
    this.#sends = 1
    if (!this.#replayable && this.#auth.maxReplayBytes > 0 && isStreamBody(this.#body)) return this.#buffered()
    const cached = this.#manager.current()
    if (cached !== undefined) {
      this.#use(cached)
      return this.#signing
    }
    return this.#wait((signal) => this.#manager.getToken({ signal }))
  }

  /**
   * A redirect hop (or a resend the client makes by itself) to `url`, with `method` when the hop
   * changes it (a 303): `'attach'` when the token may go there (send `authorization`, and the new
   * `dpop` proof, again), `'strip'` when it may not (send the hop with neither `Authorization` nor
   * `DPoP`).
   */
  redirected(url: string | URL, method?: string): 'attach' | 'strip' {
    this.#stripped = !this.#auth.allows(url, this.#manager)
    if (this.#stripped) return 'strip'
    this.#url = url
    if (method !== undefined) this.#method = method
    if (this.#token !== undefined) this.#sign(this.#token)
    return 'attach'
  }

  /**
   * Reads a response to this request. Returns `undefined` when it goes to the caller as it is,
   * else a promise that resolves, once {@link AuthRequest.authorization} holds the new token, with
   * the kind of retry; the adapter then lets the response go (drains it) and sends again.
   * A 401 whose body cannot be replayed is returned, and the token is replaced for later requests;
   * so is one whose manager was closed meanwhile (a pool dropped it): the caller gets the response;
   * a response from a hop that went without the token (another origin) is returned as it is.
   */
  respond(status: number, header: HeaderLookup): Promise<RetryKind> | undefined {
    const used = this.#token
    if (used === undefined || this.#stripped) return undefined
    const freshNonce = this.#dpop !== undefined && this.#learnNonce(header)
    if (status !== 401 && status !== 403) return undefined
    const manager = this.#manager
    const decision = decideChallenge(status, parseWWWAuthenticate(header('www-authenticate')), {
      credential: manager.name,
      tokenType: used.tokenType,
      reacquire: this.#auth.retryOnUnauthorized,
      freshNonce,
      options: this.#auth.challengesOf(manager),
      decodeClaims: decodeClaimsChallenge,
    })
    const kind = RETRY_KINDS[decision.action]
    const spent = kind !== undefined && ((this.#kinds & KIND_BITS[kind]) !== 0 || this.#sends >= MAX_SENDS)
    const retry = kind !== undefined && !spent && (this.#replayable || kind === 'token')
    const { challenge } = decision
    if (challenge !== undefined) {
      const action = retry && this.#replayable ? decision.action : 'returned'
      manager.challenged({ status, scheme: challenge.scheme, error: challenge.params.error, action })
    }
    if (!retry || manager.closed) return undefined
    const { claims, scopes } = decision
    if (kind === 'nonce') return this.#retry(kind, () => Promise.resolve(used))
    if (kind === 'scope') return this.#retry(kind, (signal) => manager.upgradeScopes(scopes ?? [], { signal }))
    if (this.#replayable) return this.#retry(kind, (signal) => manager.reacquire(used, { signal, claims }))
    manager.reacquire(used, { claims }).catch(noop)
    return undefined
  }

  /** Buffers the streamed body under the cap, then waits for the token. */
  async #buffered(): Promise<void> {
    const result = await bufferBody(this.#body as AsyncIterable<Uint8Array>, this.#auth.maxReplayBytes)
    this.#body = result.body
    this.#replayable = result.buffered
    const cached = this.#manager.current()
    if (cached !== undefined) {
      this.#use(cached)
      await this.#signing
    } else await this.#wait((signal) => this.#manager.getToken({ signal }))
  }

  /** Waits for `acquire(signal)` within the request's bounds, then uses its token for the next send (and waits for its proof). */
  #wait(acquire: (signal: AbortSignal | undefined) => Promise<Token>): Promise<void> {
    const view = this.#view
    const bounds: WaitBounds = { signal: view.signal, timeoutMs: view.timeoutMs, timedOut: view.timedOut ?? timeoutError }
    return waitWithin(bounds, acquire).then((token) => {
      this.#use(token)
      return this.#signing
    })
  }

  /** The wait for a retry of `kind`: one more send, and that kind spent. */
  #retry(kind: RetryKind, acquire: (signal: AbortSignal | undefined) => Promise<Token>): Promise<RetryKind> {
    this.#kinds |= KIND_BITS[kind]
    this.#sends++
    return this.#wait(acquire).then(() => kind)
  }

  #use(token: Token): void {
    this.#token = token
    this.#authorization = token.authorization
    this.#sign(token)
  }

  /**
   * A new proof for the next send, when `token` is DPoP-bound and the credential has its key: at
   * once when signed synchronously; else {@link AuthRequest.signing} until it is (a rejection
   * reaches whoever waits for it, and is never left unhandled).
   */
  #sign(token: Token): void {
    const dpop = token.tokenType === 'DPoP' ? this.#manager.dpop : undefined
    const proofs = ++this.#proofs
    this.#dpop = undefined
    this.#signing = undefined
    if (dpop === undefined) return
    const nonce = dpop.nonces.get(originOf(this.#url))
    this.#proofNonce = nonce
    const proof = dpop.key.proof({ htm: this.#method.toUpperCase(), htu: this.#url, accessToken: token.accessToken, nonce, now: dpop.now() })
    if (typeof proof === 'string') {
      this.#dpop = proof
      return
    }
    const signing = proof.then((value) => {
      if (proofs !== this.#proofs) return
      this.#dpop = value
      this.#signing = undefined
    })
    signing.catch(noop)
    this.#signing = signing
  }

  /** Learns the response's `DPoP-Nonce` for its origin; whether it differs from the one the proof carried. */
  #learnNonce(header: HeaderLookup): boolean {
    const value = header('dpop-nonce')
    const nonce = typeof value === 'string' ? value : value?.[0]
    if (nonce === undefined || nonce === null) return false
    this.#manager.dpop?.nonces.learn(originOf(this.#url), nonce)
    return nonce !== this.#proofNonce
  }
}

function originOf(url: string | URL): string {
  return (typeof url === 'string' ? new URL(url) : url).origin
}
