export * from '@tokenwarden/core'
export { authInterceptor } from './auth-interceptor.ts'
