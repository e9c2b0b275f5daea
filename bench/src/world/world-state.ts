import { randomBytes } from 'node:crypto'
import { type Counters, type Knobs, defaultKnobs } from './protocol.ts'

interface Issued {
  readonly clientId: string
  readonly expiresAt: number
  readonly epoch: number
}

/** Why a resource request was refused, or `undefined` when its token is good. */
export type Refusal = 'missing' | 'unknown' | 'expired' | 'revoked' | undefined

/**
 * The world's memory: knobs, issued tokens and per-client counters. Simple rules:
 * - a token is good until its `expires_in` has passed, or until a revoke-all that came after it;
 * - every count is kept per `client_id`, so contenders that share the world never mix figures.
 */
export class WorldState {
  knobs: Knobs = { ...defaultKnobs }
  readonly #tokens = new Map<string, Issued>()
  readonly #counters = new Map<string, Counters>()
  #epoch = 0
  #serial = 0

  /** Issues a token to `clientId`. */
  issue(clientId: string, now: number): string {
    const token = `${clientId}.${++this.#serial}.${randomBytes(12).toString('base64url')}`
    this.#tokens.set(token, { clientId, expiresAt: now + this.knobs.ttlSeconds * 1000, epoch: this.#epoch })
    return token
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
