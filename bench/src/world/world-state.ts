import { randomBytes } from 'node:crypto'
import { type DPoPBound, boundTo } from './dpop-check.ts'
import { type Counters, type Knobs, defaultKnobs } from './protocol.ts'

interface Issued {
  readonly clientId: string
  readonly expiresAt: number
  readonly epoch: number
  /** What a DPoP-bound token's proofs must match; `undefined` for a bearer token. */
  readonly dpop: DPoPBound | undefined
}

/** Why a resource request was refused, or `undefined` when its token is good. */
export type Refusal = 'missing' | 'unknown' | 'expired' | 'revoked' | undefined

/**
 * The world's memory: knobs, issued tokens and per-client counters. Simple rules:
 * - a token is good until its `expires_in` has passed, or until a revoke-all that came after it;
 * - a token issued to a DPoP key (its token request carried a proof) is DPoP-bound to that key;
 * - every count is kept per `client_id`, so contenders that share the world never mix figures.
 */
export class WorldState {
  knobs: Knobs = { ...defaultKnobs }
  readonly #tokens = new Map<string, Issued>()
  readonly #counters = new Map<string, Counters>()
  #epoch = 0
  #serial = 0

  /** Issues a token to `clientId`, DPoP-bound to the key of thumbprint `jkt` when given. */
  issue(clientId: string, now: number, jkt?: string): string {
    const token = `${clientId}.${++this.#serial}.${randomBytes(12).toString('base64url')}`
    const dpop = jkt === undefined ? undefined : boundTo(token, jkt)
    this.#tokens.set(token, { clientId, expiresAt: now + this.knobs.ttlSeconds * 1000, epoch: this.#epoch, dpop })
    return token
  }

  /** What the proofs of `token` must match when it is DPoP-bound; `undefined` for a bearer or unknown token. */
  dpopOf(token: string): DPoPBound | undefined {
    return this.#tokens.get(token)?.dpop
  }

  /** Checks a resource request's token. */
  check(token: string | undefined, now: number): Refusal {
    if (token === undefined) return 'missing'
    const issued = this.#tokens.get(token)
    if (issued === undefined) return 'unknown'
    if (issued.epoch < this.#epoch) return 'revoked'
    return now >= issued.expiresAt ? 'expired' : undefined
  }

  /** Makes every token issued so far answer 401. */
  revokeAll(): void {
    this.#epoch++
  }

  /** The counters of `clientId`, created on first use. */
  counters(clientId: string): Counters {
    let counters = this.#counters.get(clientId)
    if (counters === undefined) {
      counters = { tokenCalls: 0, tokenUnavailable: 0, requests: 0, unauthorized: 0 }
      this.#counters.set(clientId, counters)
    }
    return counters
  }

  /** Back to the default knobs, with no counters; issued tokens stay valid. */
  reset(): void {
    this.knobs = { ...defaultKnobs }
    this.#counters.clear()
  }
}

/** The `client_id` a token was issued to: tokens are `<client_id>.<serial>.<random>`. */
export function clientOf(token: string): string {
  const dot = token.indexOf('.')
  return dot === -1 ? 'unknown' : token.slice(0, dot)
}
