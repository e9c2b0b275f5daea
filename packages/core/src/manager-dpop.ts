import type { Clock } from './clock.ts'
import type { DPoPBinding } from './dpop/dpop-binding.ts'
import type { DPoPKey } from './dpop/dpop-key.ts'
import { DPoPNonces } from './dpop/dpop-nonces.ts'
import type { TokenRecord } from './token.ts'

/** A credential's DPoP state, once its source made its key: what each request's proof is signed with. */
export interface ManagerDPoP {
  /** The credential's key. */
  readonly key: DPoPKey
  /** The last `DPoP-Nonce` each resource origin sent. */
  readonly nonces: DPoPNonces
  /** The manager's clock, for a proof's `iat` (epoch ms). */
  now(): number
}

/**
 * A manager's hold on the DPoP key of its source (one made with `dpop`). Rules:
 * - the manager has the key made before it reads a stored token or acquires one: a stored token
 *   bound to another key is then dropped ({@link boundTo}), and new ones record this key's
 *   thumbprint; when making the key fails (the server's metadata cannot be read yet), the
 *   source's own call fails the same way and is retried as usual;
 * - the state adapters sign proofs with ({@link ManagerDPoP}) exists once the key does, and stays.
 */
export class ManagerKey {
  readonly #binding: DPoPBinding
  readonly #clock: Clock
  #state: ManagerDPoP | undefined

  constructor(binding: DPoPBinding, clock: Clock) {
    this.#binding = binding
    this.#clock = clock
  }

  /** The key, its nonces and the clock, once the key is made; else `undefined`. */
  get state(): ManagerDPoP | undefined {
    if (this.#state !== undefined) return this.#state
    const key = this.#binding.current()
    if (key === undefined) return undefined
    const clock = this.#clock
    return (this.#state = { key, nonces: new DPoPNonces(), now: () => clock.now() })
  }

  /** Whether the key is made. */
  get made(): boolean {
    return this.state !== undefined
  }

  /** The thumbprint of the key, once made. */
  get thumbprint(): string | undefined {
    return this.state?.key.thumbprint
  }

  /** Has the source make its key; never rejects (see the rules). */
  async make(): Promise<void> {
    await this.#binding.key().catch(() => undefined)
  }
}

/** Whether a stored `record` may be used with the key whose thumbprint is `jkt`: unbound, or bound to that key. */
export function boundTo(record: TokenRecord, jkt: string | undefined): boolean {
  return record.jkt === undefined || record.jkt === jkt
}
