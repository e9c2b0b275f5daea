import type { AcquireContext, TokenGrant, TokenSource } from '@tokenwarden/core'

/** How a {@link CountingSource} answers call number `call` (from 1). */
export type CountingAnswer = (call: number, ctx: AcquireContext) => TokenGrant | Promise<TokenGrant>

/** Options of {@link countingSource}. */
export interface CountingSourceOptions {
  /** Answers each call in place of the default grant (`<prefix>-<n>`, Bearer, `expiresIn`). */
  answer?: CountingAnswer
  /** Lifetime of each default token, seconds. @default 3600 */
  expiresIn?: number
  /** Prefix of the default tokens: `<prefix>-1`, `<prefix>-2`, … numbered by tokens issued. @default 'token' */
  prefix?: string
  /** Called with each token before it is returned (make it valid on a resource server here). */
  onIssue?: (accessToken: string) => void
}

/** A test token source: counts calls, records their contexts, and can be held or made to fail. */
export interface CountingSource extends TokenSource {
  /** How many times `acquire` was called. */
  readonly calls: number
  /** The contexts of every call, in order. */
  readonly contexts: readonly AcquireContext[]
  /** Lifetime of the next default tokens, seconds. */
  expiresIn: number
  /** Holds every acquisition from now on until the returned function is called. */
  hold(): () => void
  /** Makes acquisitions throw `error` from now on (`undefined` to stop). */
  failWith(error: unknown): void
  /** Resolves when call number `n` (from 1) has started. */
  called(n: number): Promise<void>
}

/**
 * Creates a {@link CountingSource} (kind `counting`). Rules, per call: the call is counted and its
 * context recorded at once (before any await), then it waits while held, then fails if told to, then
 * answers (`answer(call, ctx)`, or the next default token) and reports the token to `onIssue`.
 */
export function countingSource(answer: CountingAnswer): CountingSource
export function countingSource(options?: CountingSourceOptions): CountingSource
export function countingSource(answerOrOptions: CountingAnswer | CountingSourceOptions = {}): CountingSource {
  const options = typeof answerOrOptions === 'function' ? { answer: answerOrOptions } : answerOrOptions
  const prefix = options.prefix ?? 'token'
  const contexts: AcquireContext[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  let gate: Promise<void> | undefined
  let failure: { error: unknown } | undefined
  let issued = 0
  let expiresIn = options.expiresIn ?? 3600
  const answer: CountingAnswer =
    options.answer ?? (() => ({ accessToken: `${prefix}-${++issued}`, tokenType: 'Bearer', expiresIn }))
  return {
    kind: 'counting',
    async acquire(ctx) {
      contexts.push(ctx)
      const call = contexts.length
      for (const waiter of waiters.filter((w) => w.n <= call)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      if (gate !== undefined) await gate
      if (failure !== undefined) throw failure.error
      if (options.onIssue === undefined) return answer(call, ctx)
      const grant = await answer(call, ctx)
      options.onIssue(grant.accessToken)
      return grant
    },
    get calls() {
      return contexts.length
    },
    contexts,
    get expiresIn() {
      return expiresIn
    },
    set expiresIn(seconds: number) {
      expiresIn = seconds
    },
    hold() {
      let open!: () => void
      gate = new Promise((resolve) => (open = resolve))
      return () => {
        gate = undefined
        open()
      }
    },
    failWith(error) {
      failure = error === undefined ? undefined : { error }
    },
    called(n) {
      if (contexts.length >= n) return Promise.resolve()
      return new Promise((resolve) => waiters.push({ n, resolve }))
    },
  }
}
