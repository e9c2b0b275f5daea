import { type NormalizedToken, normalizeGrant } from './normalize-grant.ts'
import { refreshDefaults } from './refresh-window.ts'
import type { TokenGrant } from './source.ts'
import type { TokenEvent } from './token-events.ts'
import type { ResolvedOptions } from './token-manager-options.ts'
import type { Token } from './token.ts'

/** What a {@link TokenMint} needs from the manager it serves. */
export interface MintHost {
  /** The credential's name. */
  readonly name: string
  readonly options: Pick<ResolvedOptions, 'defaultExpiresIn' | 'refreshBeforeMs' | 'expirySkewMs'>
  /** The scopes the manager asks for; a grant that names none is taken to grant these. */
  scopes(): readonly string[] | undefined
  /** Tells the manager's subscribers. */
  emit(event: TokenEvent): void
  /** The thumbprint of the credential's DPoP key, recorded on its `DPoP` tokens; `undefined` without one. */
  jkt(): string | undefined
}

/**
 * Makes one manager's tokens from grants (a source's, or `setToken`'s) and from stored records.
 * Rules:
 * - each token gets the manager's next generation, the identity `invalidate` and `reacquire` compare;
 * - its windows come from the manager's options ({@link normalizeGrant});
 * - the first time `expirySkew` is cut to a quarter of a token's lifetime, an `option-capped`
 *   event says so (durations in seconds); never again for this manager.
 */
export class TokenMint {
  readonly #host: MintHost
  #generation = 0
  #skewCapReported = false

  constructor(host: MintHost) {
    this.#host = host
  }

  /** `grant`, sent at `issuedAt` and produced by the source of kind `source`, as this manager's next token. */
  mint(grant: TokenGrant, issuedAt: number, source: string): NormalizedToken {
    const { name, options } = this.#host
    const normalized = normalizeGrant(grant, {
      issuedAt,
      generation: ++this.#generation,
      source,
      credential: name,
      requestedScopes: this.#host.scopes(),
      defaultExpiresIn: options.defaultExpiresIn,
      refreshBeforeMs: options.refreshBeforeMs,
      expirySkewMs: options.expirySkewMs,
      jkt: this.#host.jkt(),
    })
    this.#reportSkewCap(normalized.token)
    return normalized
  }

  #reportSkewCap(token: Token): void {
    const skewMs = this.#host.options.expirySkewMs
    if (this.#skewCapReported || skewMs === undefined || token.expiresAt === undefined) return
    const lifetimeMs = token.expiresAt - token.issuedAt
    const appliedMs = lifetimeMs * refreshDefaults.maxMandatoryFraction
    if (skewMs <= appliedMs) return
    this.#skewCapReported = true
    this.#host.emit({
      type: 'option-capped',
      credential: this.#host.name,
      option: 'expirySkew',
      configured: skewMs / 1000,
      applied: appliedMs / 1000,
      lifetime: lifetimeMs / 1000,
    })
  }
}
