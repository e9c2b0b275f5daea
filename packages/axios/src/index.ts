export { type AxiosAuthInterceptor, authInterceptor } from './auth-interceptor.ts'
export { withAuth } from './with-auth.ts'
export * from '@tokenwarden/core'
