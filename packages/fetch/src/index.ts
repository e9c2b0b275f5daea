export * from '@tokenwarden/core'
export { type FetchLike, type FetchResponse, withAuth } from './with-auth.ts'
