import { TokenManager, type TokenManagerOptions } from '@tokenwarden/core'
import { afterEach, vi } from 'vitest'

/**
 * Returns a factory of managers (`prefetch: 'lazy'` unless told otherwise, then `defaults`, then
 * the options of each call) that are all closed after each test, before mocks are restored. Call it
 * once at a test file's top level.
 */
export function useManagers(
  defaults: Partial<TokenManagerOptions> = {},
): (options: TokenManagerOptions) => TokenManager {
  const managers: TokenManager[] = []
  afterEach(async () => {
    await Promise.all(managers.splice(0).map((m) => m.close()))
    vi.restoreAllMocks()
  })
  return (options) => {
    const manager = new TokenManager({ prefetch: 'lazy', ...defaults, ...options })
    managers.push(manager)
    return manager
  }
}
