import { type AcquireContext, type TokenSource, fromFunction } from '@tokenwarden/core'

/** Options of {@link countingSource}. */
export interface CountingSourceOptions {
  /** Lifetime of each token, seconds. @default 3600 */
  expiresIn?: number
  /** Token prefix: tokens are `<prefix>-1`, `<prefix>-2`, … @default 'token' */
  prefix?: string
  /** Called with each token before it is returned (make it valid on a resource server here). */
  onIssue?: (accessToken: string) => void
}

/**
 * A test token source (a `fromFunction` one): counts calls, issues `token-1`, `token-2`, …, and can
 * be held or made to fail.
 */
export interface CountingSource extends TokenSource {
  /** How many times `acquire` was called. */
  readonly calls: number
  /** The contexts of every call, in order. */
  readonly contexts: readonly AcquireContext[]
  /** Lifetime of the next tokens, seconds. */
  expiresIn: number
  /** Holds every acquisition from now on until the returned function is called. */
  hold(): () => void
  /** Makes acquisitions throw `error` from now on (`undefined` to stop). */
  failWith(error: unknown): void
  /** Resolves when call number `n` (from 1) has started. */
  called(n: number): Promise<void>
}

/** Creates a {@link CountingSource}. */
export function countingSource(options: CountingSourceOptions = {}): CountingSource {
  const prefix = options.prefix ?? 'token'
  const contexts: AcquireContext[] = []
  const waiters: { n: number; resolve: () => void }[] = []
  let gate: Promise<void> | undefined
  let failure: { error: unknown } | undefined
  let issued = 0
  let expiresIn = options.expiresIn ?? 3600
  const { kind, acquire } = fromFunction(
    async (ctx) => {
      contexts.push(ctx)
      for (const waiter of waiters.filter((w) => w.n <= contexts.length)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
      if (gate !== undefined) await gate
      if (failure !== undefined) throw failure.error
      const accessToken = `${prefix}-${++issued}`
      options.onIssue?.(accessToken)
      return { accessToken, tokenType: 'Bearer', expiresIn }
    },
    { kind: 'counting' },
  )
  return {
    kind,
    acquire,
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
