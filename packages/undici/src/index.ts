export * from '@tokenwarden/core'
export { type UndiciAuthOptions, authInterceptor } from './auth-interceptor.ts'
