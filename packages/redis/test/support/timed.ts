/**
 * Starts `call` and measures how long it takes to settle, in milliseconds. The clock starts before
 * the call does: a bound "no sooner than the deadline" then holds however late the event loop runs.
 */
export async function timed(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
  const started = performance.now()
  try {
    await call()
    return { ms: performance.now() - started, error: undefined }
  } catch (error) {
    return { ms: performance.now() - started, error }
  }
}
