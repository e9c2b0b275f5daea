import type { RequestAuthOptions, TokenManager } from '@tokenwarden/core'
import type { AxiosInstance } from 'axios'
import { authInterceptor } from './auth-interceptor.ts'

/**
 * Installs {@link authInterceptor} on `instance` and returns the instance.
 *
 * @example
 * ```ts
 * const graph = withAuth(axios.create({ baseURL: 'https://graph.microsoft.com/v1.0' }), 'graph')
 * ```
 */
export function withAuth<T extends AxiosInstance>(
  instance: T,
  credential: string | TokenManager,
  options?: RequestAuthOptions,
): T {
  instance.interceptors.request.use(authInterceptor(credential, options))
  return instance
}
