import type { TokenEvent, TokenManager } from '@tokenwarden/core'

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
