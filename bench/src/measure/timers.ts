import { createHook } from 'node:async_hooks'

/**
 * Timers alive around `create` and `close`: the number of live `Timeout`s once `create` has run,
 * and once `close` has, each counted a turn of the event loop later.
 */
export async function timersAround(create: () => Promise<unknown>, close: () => Promise<unknown>): Promise<{ timers: number; timersAfterClose: number }> {
  const alive = new Set<number>()
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout') alive.add(asyncId)
    },
    destroy(asyncId) {
      alive.delete(asyncId)
    },
  }).enable()
  try {
    await create()
    await new Promise((resolve) => setImmediate(resolve))
    const timers = alive.size
    await close()
    await new Promise((resolve) => setImmediate(resolve))
    return { timers, timersAfterClose: alive.size }
  } finally {
    hook.disable()
  }
}
