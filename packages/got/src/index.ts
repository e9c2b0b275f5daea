export { type GotAuthHooks, authHooks } from './auth-hooks.ts'
export { withAuth } from './with-auth.ts'
export * from '@tokenwarden/core'
