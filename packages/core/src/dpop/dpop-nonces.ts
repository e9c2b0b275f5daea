import { invalidOption } from '../errors.ts'

/** Options of {@link DPoPNonces}. */
export interface DPoPNoncesOptions {
  /**
   * How many origins' nonces are kept; the least recently used is dropped beyond it.
   * @default 100
   */
  maxOrigins?: number
}

/** RFC 9449 §8.1: `nonce = 1*NQCHAR`, NQCHAR = %x21 / %x23-5B / %x5D-7E. */
const NONCE = /^[\x21\x23-\x5b\x5d-\x7e]+$/

/**
 * The last `DPoP-Nonce` each origin sent, for one credential. A server may send one on any response
 * (2xx included), and expects it in the next proof to that origin.
 *
 * Rules:
 * - keyed by origin (`URL#origin`), as RFC 9449 and openid-client key theirs;
 * - bounded: at most `maxOrigins` origins, the least recently used (learned or read) dropped first;
 * - no expiry and no timer: a stale nonce earns a `use_dpop_nonce` challenge carrying the new one;
 * - a value that is not a valid nonce is ignored.
 */
export class DPoPNonces {
  readonly #max: number
  readonly #byOrigin = new Map<string, string>()

  /** An empty cache. */
  constructor(options: DPoPNoncesOptions = {}) {
    const max = options.maxOrigins ?? 100
    if (!Number.isInteger(max) || max < 1) throw invalidOption('maxOrigins', 'a positive integer')
    this.#max = max
  }

  /** How many origins have a nonce. */
  get size(): number {
    return this.#byOrigin.size
  }

  /**
   * Records `nonce` as `origin`'s current nonce (from a `DPoP-Nonce` response header; `null` and
   * `undefined` are ignored, so a missing header can be passed as read). Returns `true` when the
   * origin's nonce changed: a `use_dpop_nonce` challenge is worth a re-signed retry only then.
   */
  learn(origin: string, nonce: string | null | undefined): boolean {
    if (typeof nonce !== 'string' || !NONCE.test(nonce)) return false
    const previous = this.#byOrigin.get(origin)
    this.#byOrigin.delete(origin)
    this.#byOrigin.set(origin, nonce)
    if (previous === undefined && this.#byOrigin.size > this.#max) {
      this.#byOrigin.delete(this.#byOrigin.keys().next().value as string)
    }
    return nonce !== previous
  }

  /** The last nonce `origin` sent, or `undefined`; marks the origin as recently used. */
  get(origin: string): string | undefined {
    const nonce = this.#byOrigin.get(origin)
    if (nonce !== undefined) {
      this.#byOrigin.delete(origin)
      this.#byOrigin.set(origin, nonce)
    }
    return nonce
  }
}
