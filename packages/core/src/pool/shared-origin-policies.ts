import { LRUCache } from 'lru-cache'
import { OriginPolicy } from '../policy/origins.ts'
import type { PooledCredentialOptions } from './pool-options.ts'

/** Distinct origin lists whose compiled policy a pool keeps for its next managers. */
const KEPT_POLICIES = 64

/**
 * The compiled origin policies of one pool's managers. Simple rules:
 * - managers whose options name the same origins (in the same order, with the same
 *   `dangerouslyAllowInsecureHttp`) share one {@link OriginPolicy}: a pooled manager then costs
 *   a pointer for its origins, not a compiled policy;
 * - the last {@link KEPT_POLICIES} distinct lists are kept; a manager made with another list
 *   compiles its own, which it keeps for as long as it lives;
 * - a list the policy refuses throws as the manager would (a coded `TypeError` naming
 *   `origins[i]`, or `TOKEN_INSECURE_TRANSPORT`), and nothing is kept for it.
 */
export class SharedOriginPolicies {
  readonly #kept = new LRUCache<string, OriginPolicy>({ max: KEPT_POLICIES })

  /** The policy of `options.origins`. */
  for(options: PooledCredentialOptions): OriginPolicy {
    const origins = options.origins ?? []
    const insecure = options.dangerouslyAllowInsecureHttp === true
    if (!Array.isArray(origins)) return new OriginPolicy({ origins, dangerouslyAllowInsecureHttp: insecure })
    const key = JSON.stringify([insecure, origins])
    const kept = this.#kept.get(key)
    if (kept !== undefined) return kept
    const policy = new OriginPolicy({ origins, dangerouslyAllowInsecureHttp: insecure })
    this.#kept.set(key, policy)
    return policy
  }
}
