/** Options of {@link eventually}. */
export interface EventuallyOptions {
  /** How often to look, ms: slow checks (a Redis call, a pod's report over IPC) look less often. @default 5 */
  everyMs?: number
  /** What is awaited, for the failure message. @default 'the condition' */
  what?: string
}

/** Resolves once `check` holds, looking every `everyMs`; rejects after `withinMs`, saying what did not happen. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  withinMs = 2000,
  { everyMs = 5, what = 'the condition' }: EventuallyOptions = {},
): Promise<void> {
  const until = Date.now() + withinMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: still not so after ${withinMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}
