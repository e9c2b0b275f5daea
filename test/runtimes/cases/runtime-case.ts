import type { RuntimeHosts } from '../host/hosts.ts'

/**
 * One case of the portable suite: written against web APIs (`fetch`, `Request`/`Response`, Web
 * Crypto, `ReadableStream`) and the public API of `@tokenwarden/core` and `@tokenwarden/fetch`
 * only, so that every runtime runs it as it is. It throws (a {@link CheckError} or the library's
 * own error) when the behaviour is wrong, and closes whatever it opened.
 */
export interface RuntimeCase {
  /** The behaviour, as a test name. */
  readonly name: string
  readonly run: (hosts: RuntimeHosts) => Promise<void>
}

/** A case's failure when a value is not what it should be. */
export class CheckError extends Error {
  override readonly name = 'CheckError'
}
