import { afterEach, vi } from 'vitest'
import { TokenManager } from '../../src/token-manager.ts'
import type { TokenManagerOptions } from '../../src/token-manager-options.ts'

/**
 * Returns a factory of managers (`prefetch: 'lazy'` unless told otherwise) that are all closed
 * after each test, before mocks are restored.
 */
export function useManagers(defaults: Partial<TokenManagerOptions> = {}): (options: TokenManagerOptions) => TokenManager {
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
