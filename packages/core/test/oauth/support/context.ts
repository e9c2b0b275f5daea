import type { AcquireContext } from '../../../src/source.ts'
import type { TokenEvent } from '../../../src/token-events.ts'
import type { TokenManager } from '../../../src/token-manager.ts'
import type { TokenRecord } from '../../../src/token.ts'

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

/** Resolves with the next event of `type` the manager emits. */
export function nextEvent<T extends TokenEvent['type']>(
  manager: TokenManager,
  type: T,
): Promise<Extract<TokenEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = manager.subscribe((event) => {
      if (event.type !== type) return
      off()
      resolve(event as Extract<TokenEvent, { type: T }>)
    })
  })
}

/** Calls `fn` and returns what it threw (fails when it did not throw). */
export async function caught(fn: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await fn()
  } catch (error) {
    return error as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}
