import type { Credential, RequestAuthOptions } from '@tokenwarden/core'
import type { Got } from 'got'
import { authHooks } from './auth-hooks.ts'

/**
 * `instance.extend(authHooks(credential, options))`: a new instance with the hooks installed.
 * `instance` itself, and `got.defaults`, are left as they were.
 *
 * @example
 * ```ts
 * const graph = withAuth(got, 'graph')
 * const me = await graph('https://graph.microsoft.com/v1.0/me').json()
 * ```
 */
export function withAuth(instance: Got, credential: Credential, options?: RequestAuthOptions): Got {
  return instance.extend(authHooks(credential, options))
}
