import { pause, until } from '../traffic.ts'
import { type Step, begin, duration, judge, noFailures, plural } from './step.ts'

/** How long the first token, and the first answer with it, may take (discovery, token request, retries). */
const FIRST_TOKEN_TIMEOUT_MS = 15_000

/** Step 1: every adapter gets its first token, then steady traffic flows for the chosen duration. */
export const firstToken: Step = {
  title: 'First token and steady traffic',
  async run({ lanes, world, traffic, durationSeconds }) {
    const started = begin(lanes)
    traffic.start(lanes, world.url)
    const flowing = (): boolean =>
      started.every(({ lane, before }) => lane.firstToken !== undefined && lane.snapshot().requests > before.requests)
    if (await until(flowing, FIRST_TOKEN_TIMEOUT_MS)) await pause(durationSeconds * 1000)
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
