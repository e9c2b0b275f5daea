import type { Credential, RequestAuthOptions } from '@tokenwarden/core'
import type { AxiosInstance } from 'axios'
import { authInterceptor } from './auth-interceptor.ts'

/**
 * Installs {@link authInterceptor} on `instance` and returns the instance. The interceptor is
 * registered as synchronous (it only wraps the adapter), which spares axios a promise turn per
 * request when every request interceptor is synchronous.
 *
 * @example
 * ```ts
 * const graph = withAuth(axios.create({ baseURL: 'https://graph.microsoft.com/v1.0' }), 'graph')
 * ```
 */
export function withAuth<T extends AxiosInstance>(
  instance: T,
  credential: Credential,
  options?: RequestAuthOptions,
): T {
  instance.interceptors.request.use(authInterceptor(credential, options), undefined, { synchronous: true })
  return instance
}
