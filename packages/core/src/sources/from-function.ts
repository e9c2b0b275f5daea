import { invalidOption } from '../errors.ts'
import type { AcquireContext, TokenGrant, TokenSource } from '../source.ts'

/** Options of {@link fromFunction}. */
export interface FromFunctionOptions {
  /** The kind recorded on every token the function produces. @default 'function' */
  kind?: string | undefined
}

/**
 * A source backed by your own function: a vault client, a sidecar, an SDK that already knows how to
 * get a token. The function may return the grant or a promise of it, and should honour `ctx.signal`.
 * Signal failures as a token endpoint would: set `transient: false` (or an OAuth `error` such as
 * `invalid_grant`, or a 4xx `status`) on the error to stop retries; anything else is retried.
 *
 * @example
 * ```ts
 * const source = fromFunction(async ({ signal }) => {
 *   const { token, ttl } = await vault.read('secret/api', { signal })
 *   return { accessToken: token, expiresIn: ttl }
 * }, { kind: 'vault' })
 * ```
 */
export function fromFunction(
  fn: (ctx: AcquireContext) => Promise<TokenGrant> | TokenGrant,
  options: FromFunctionOptions = {},
): TokenSource {
  if (typeof fn !== 'function') throw invalidOption('fn', 'a function (ctx) => grant')
  const kind = options.kind ?? 'function'
  if (typeof kind !== 'string' || kind.length === 0) throw invalidOption('kind', 'a non-empty string')
  return {
    kind,
    async acquire(ctx) {
      return fn(ctx)
    },
  }
}
