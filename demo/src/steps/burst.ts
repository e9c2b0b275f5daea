import { burst as sendBurst } from '../traffic.ts'
import { type LaneOutcome, type Step, duration, judge, noFailures, plural, settled } from './step.ts'

/** Requests sent at once through each adapter. */
const BURST_SIZE = 1000

/** What the burst's requests cost, in words. */
function shared(tokenRequests: number, background: number): string {
  if (tokenRequests === 0) return 'no token request of their own (they joined the refresh in flight)'
  if (background === 0) return '1 token request'
  return `1 token request (and ${plural(background, 'background refresh', 'background refreshes')} meanwhile)`
}

/**
 * Step 5: with steady traffic stopped and the token dropped (`invalidate()`, as at expiry), 1,000
 * concurrent requests through each adapter in turn share one token request. Background refreshes
 * are counted apart: one due during a long burst is the usual renewal, and a burst that starts
 * while one is in flight joins it and needs no token request of its own.
 */
export const burst: Step = {
  title: `A burst of ${BURST_SIZE.toLocaleString('en-US')} concurrent requests with no token`,
  async run({ lanes, world, traffic }) {
    await traffic.stop()
    const outcomes: LaneOutcome[] = []
    for (const lane of lanes) {
      await settled([lane])
      const before = lane.snapshot()
      lane.manager.invalidate()
      const tookMs = await sendBurst(lane, world.url, BURST_SIZE)
      const after = lane.snapshot()
      const background = after.proactiveRefreshes - before.proactiveRefreshes
      const tokenRequests = after.attempts - before.attempts - background
      outcomes.push(
        judge(
          lane.adapter,
          [
            [tokenRequests <= 1, `${BURST_SIZE} requests caused ${tokenRequests} token requests`],
            noFailures(lane, before, after),
          ],
          `${BURST_SIZE.toLocaleString('en-US')} requests at once → ${shared(tokenRequests, background)}, ` +
            `all answered 200 in ${duration(tookMs)}`,
        ),
      )
    }
    return { outcomes }
  },
}
