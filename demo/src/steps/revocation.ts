import { updatesBetween } from '../lane.ts'
import { pause, until } from '../traffic.ts'
import { type Step, begin, judge, noFailures, plural, settled } from './step.ts'

/** How long every adapter has to meet a 401 and recover. */
const RECOVERY_TIMEOUT_MS = 10_000
/** Traffic kept flowing after recovery, to show every request answered. */
const TAIL_MS = 250

/**
 * Step 3: the API revokes every token at once. Each adapter's requests that get a 401 share one
 * reacquisition and are resent once: one more token request per credential, every request 200.
 */
export const revocation: Step = {
  title: 'The API revokes every token at once',
  async run({ lanes, world }) {
    if (world.control === undefined) return { skipped: 'needs control of the API: embedded mode only' }
    await settled(lanes)
    const started = begin(lanes)
    world.control.revokeAll()
    const recovered = (): boolean => started.every(({ lane, before }) => updatesBetween(before, lane.snapshot(), 'rejected') > 0)
    if (await until(recovered, RECOVERY_TIMEOUT_MS)) await pause(TAIL_MS)
    return {
      outcomes: started.map(({ lane, before }) => {
        const after = lane.snapshot()
        const retried = after.reacquires - before.reacquires
        const tokenRequests = after.attempts - before.attempts
        return judge(
          lane.adapter,
          [
            [retried > 0, 'no request met the revocation (no 401 was retried)'],
            [tokenRequests === 1, `expected 1 token request, saw ${tokenRequests}`],
            noFailures(lane, before, after),
          ],
          `${plural(retried, 'request')} got 401 → 1 new token (token requests +1) → every request answered 200`,
        )
      }),
    }
  },
}
