import { pause, until } from '../traffic.ts'
import { type Started, type Step, begin, duration, judge, noFailures, plural } from './step.ts'

/** How long the first token, and the first answer with it, may take (discovery, token request, retries). */
const FIRST_TOKEN_TIMEOUT_MS = 15_000
/** How often steady traffic says how far it got. */
const PROGRESS_EVERY_MS = 2_000

/** Step 1: every adapter gets its first token, then steady traffic flows for the chosen duration. */
export const firstToken: Step = {
  title: 'First token and steady traffic',
  async run({ lanes, world, traffic, durationSeconds, note }) {
    const started = begin(lanes)
    traffic.start(lanes, world.url)
    const flowing = (): boolean =>
      started.every(({ lane, before }) => lane.firstToken !== undefined && lane.snapshot().requests > before.requests)
    if (await until(flowing, FIRST_TOKEN_TIMEOUT_MS)) {
      note(`every adapter has its first token; steady traffic for ${durationSeconds} s…`)
      await flow(started, durationSeconds, note)
    }
    return {
      outcomes: started.map(({ lane, before }) => {
        const after = lane.snapshot()
        const first = lane.firstToken
        const requests = after.requests - before.requests
        return judge(
          lane.adapter,
          [
            [first !== undefined, `no token within ${duration(FIRST_TOKEN_TIMEOUT_MS)} (${lane.lastRefreshError ?? 'no answer'})`],
            [requests > 0, 'no request completed'],
            noFailures(lane, before, after),
          ],
          `first token after ${duration(first?.afterMs ?? 0)} ` +
            `(${plural(first?.counters.waits ?? 0, 'request')} waited for it), ` +
            `then ${plural(requests, 'request')} in ${durationSeconds} s, none failed`,
        )
      }),
    }
  },
}

/** Lets the traffic flow for `seconds`, noting every adapter's requests so far every {@link PROGRESS_EVERY_MS}. */
async function flow(started: readonly Started[], seconds: number, note: (line: string) => void): Promise<void> {
  const from = performance.now()
  const end = from + seconds * 1000
  while (end - performance.now() > PROGRESS_EVERY_MS) {
    await pause(PROGRESS_EVERY_MS)
    let requests = 0
    let failed = 0
    for (const { lane, before } of started) {
      const now = lane.snapshot()
      requests += now.requests - before.requests
      failed += now.failedRequests - before.failedRequests
    }
    const elapsed = Math.round((performance.now() - from) / 1000)
    const failures = failed === 0 ? 'none' : failed.toLocaleString('en-US')
    note(`${elapsed} s of ${seconds}: ${plural(requests, 'request')} through the ${started.length} adapters, ${failures} failed`)
  }
  await pause(Math.max(0, end - performance.now()))
}
