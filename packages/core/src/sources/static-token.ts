import { invalidOption } from '../errors.ts'
import type { TokenGrant, TokenSource } from '../source.ts'

/**
 * A source that always answers with the same token: a personal access token, a test fixture. Each
 * acquisition gets a fresh copy of the grant, so a grant with `expiresIn` counts its lifetime from
 * each acquisition.
 *
 * @param accessToken - the access token, or a whole grant.
 * @throws a coded `TypeError` when `accessToken` is neither a non-empty string nor a grant holding one.
 * @example
 * ```ts
 * const manager = new TokenManager({ name: 'ci', source: staticToken(process.env.CI_TOKEN ?? '') })
 * const typed = staticToken({ accessToken: 'abc', tokenType: 'DPoP', expiresIn: 3600 })
 * ```
 */
export function staticToken(accessToken: string | TokenGrant): TokenSource {
  const grant: TokenGrant = typeof accessToken === 'string' ? { accessToken } : { ...accessToken }
  if (typeof grant.accessToken !== 'string' || grant.accessToken.length === 0) {
    throw invalidOption('accessToken', 'a non-empty string, or a grant with a non-empty accessToken')
  }
  return {
    kind: 'static',
    async acquire({ signal }) {
      signal.throwIfAborted()
      return { ...grant, scope: Array.isArray(grant.scope) ? [...grant.scope] : grant.scope }
    },
  }
}
