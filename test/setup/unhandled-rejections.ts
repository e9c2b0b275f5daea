import { afterEach } from 'vitest'

/**
 * Rules: an unhandled promise rejection anywhere, foreground or background, is a bug. Every test
 * file gets this listener; the test during which one fires fails, naming the reason.
 */
const seen: unknown[] = []
const realSetImmediate = globalThis.setImmediate
process.on('unhandledRejection', (reason) => {
  seen.push(reason)
})

afterEach(async () => {
  await new Promise((resolve) => realSetImmediate(resolve))
  if (seen.length > 0) {
    const reasons = seen.splice(0)
    throw new Error(`unhandled rejection during this test: ${reasons.map(String).join('; ')}`)
  }
})
