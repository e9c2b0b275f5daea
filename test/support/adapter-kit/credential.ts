import { type Clock, type TokenGrant, TokenManager, type TokenSource } from '@tokenwarden/core'

/** A clock frozen at one instant whose timers never fire: time moves only when a test says so. */
export function frozenClock(start: number = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start
  return {
    now: () => now,
    setTimeout: () => ({}),
    clearTimeout: () => {},
    advance(ms: number): void {
      now += ms
    },
  }
}

/** A source that counts acquisitions and answers `t-1`, `t-2`, … unless `answer` says otherwise. */
export interface CountingSource extends TokenSource {
  calls: number
}

export function countingSource(
  answer: (call: number, signal: AbortSignal) => TokenGrant | Promise<TokenGrant> = (call) => ({
    accessToken: `t-${call}`,
    expiresIn: 3600,
  }),
): CountingSource {
  const source: CountingSource = {
    kind: 'test',
    calls: 0,
    acquire: async (ctx) => answer(++source.calls, ctx.signal),
  }
  return source
}

/** A lazy manager for `origins`, on a frozen clock, with a counting source. */
export function testManager(
  origins: readonly string[],
  source: CountingSource = countingSource(),
): { manager: TokenManager; source: CountingSource } {
  const manager = new TokenManager({ name: 'test', source, origins, prefetch: "lazy", clock: frozenClock(), maxRetries: 0, coolDown: 0 })
  return { manager, source }
}
