import type { AcquireContext, TokenGrant, TokenSource } from '../../src/source.ts'

/** A source that counts its calls and answers with `answer(call, ctx)`; tokens default to `token-<n>`. */
export interface CountingSource extends TokenSource {
  calls: number
  contexts: AcquireContext[]
}

export function countingSource(
  answer: (call: number, ctx: AcquireContext) => TokenGrant | Promise<TokenGrant> = (call) => ({
    accessToken: `token-${call}`,
    expiresIn: 3600,
  }),
): CountingSource {
  const source: CountingSource = {
    kind: 'test',
    calls: 0,
    contexts: [],
    async acquire(ctx) {
      source.calls++
      source.contexts.push(ctx)
      return answer(source.calls, ctx)
    },
  }
  return source
}

/** An error shaped like a token endpoint's answer. */
export function endpointError(status: number, error?: string, retryAfter?: number): Error {
  return Object.assign(new Error(`token endpoint answered ${status}`), { status, error, retryAfter })
}

/** A promise with its resolve and reject exposed. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}
