import type { DPoPKey, DPoPOptions } from './dpop-key.ts'
import { DPoPKey as Key } from './dpop-key.ts'

/**
 * How a source binds its tokens to a DPoP key (RFC 9449): the credential's one key, made once,
 * shared by its token requests and by every request its tokens are sent with.
 */
export interface DPoPBinding {
  /**
   * The key: the one given, or one generated with the cheapest algorithm the server lists. Made
   * at the first call (after the server's metadata is read); a failure is not kept, so the next
   * call tries again.
   */
  key(): Promise<DPoPKey>
  /** The key once made, else `undefined`: what a request's proof is signed with, synchronously. */
  current(): DPoPKey | undefined
  /** Whether a token the server issued as `Bearer` is an error (`TOKEN_DPOP_NOT_BOUND`) rather than used as Bearer. */
  readonly required: boolean
}

/**
 * The {@link DPoPBinding} of checked `options`; `serverAlgs` reads the server's
 * `dpop_signing_alg_values_supported` (its metadata), once.
 */
export function dpopBinding(options: DPoPOptions, serverAlgs: () => Promise<readonly string[] | undefined>): DPoPBinding {
  let key: Promise<DPoPKey> | undefined
  let made: DPoPKey | undefined
  return {
    required: options.required === true,
    key() {
      if (key !== undefined) return key
      const making = serverAlgs().then((algs) => Key.from(options, algs))
      key = making
      making.then(
        (value) => (made = value),
        () => {
          if (key === making) key = undefined
        },
      )
      return making
    },
    current: () => made,
  }
}
