import type { AcquireContext, TokenRecord } from '@tokenwarden/core'

/** An acquisition context as a manager would build it, for calling a source directly. */
export function acquireContext(overrides: Partial<AcquireContext> = {}): AcquireContext {
  return {
    signal: new AbortController().signal,
    reason: 'initial',
    credential: 'test',
    previous: undefined,
    scopes: undefined,
    claims: undefined,
    stored: async (): Promise<TokenRecord | undefined> => undefined,
    ...overrides,
  }
}
