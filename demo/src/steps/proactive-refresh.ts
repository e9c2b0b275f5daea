import { updatesBetween } from '../lane.ts'
import { pause, until } from '../traffic.ts'
import { type Step, begin, duration, judge, noFailures, plural } from './step.ts'

/** A background refresh due later than this is not waited for (a real IdP's hour-long token). */
const LONGEST_WAIT_MS = 60_000
/** Slack beyond the latest refresh instant, for the refresh itself. */
const SLACK_MS = 5_000
/** Traffic kept flowing once every token was renewed, to show the new one in use. */
const TAIL_MS = 200

/**
 * Step 2: while traffic flows, each token is renewed in the background before it expires, and no
 * request ever waits for a token after the first one: the manager's `waits` counter stays put.
 * The step waits for every adapter's next renewal, so that the steps after it start with fresh
 * tokens, and reports every renewal since the first token.
 */
export const proactiveRefresh: Step = {
  title: 'Proactive refresh before expiry',
  async run({ lanes }) {
    const dueInMs = Math.max(...lanes.map((lane) => (lane.manager.peek()?.refreshAt ?? Infinity) - Date.now()))
    if (dueInMs > LONGEST_WAIT_MS) {
      const when = Number.isFinite(dueInMs) ? `in ${duration(dueInMs)}` : 'never (the token states no expiry)'
      return { skipped: `the next background refresh is due ${when}; run against a shorter-lived token to see it` }
    }
    const started = begin(lanes).map(({ lane, before }) => ({ lane, before, first: lane.firstToken?.counters ?? before }))
    const refreshed = (): boolean => started.every(({ lane, before }) => updatesBetween(before, lane.snapshot(), 'proactive') > 0)
    if (await until(refreshed, Math.max(0, dueInMs) + SLACK_MS)) await pause(TAIL_MS)
    return {
      outcomes: started.map(({ lane, before, first }) => {
        const after = lane.snapshot()
        const refreshes = after.proactiveRefreshes - first.proactiveRefreshes
        const tokenRequests = after.attempts - first.attempts
        const waited = after.waits - first.waits
        return judge(
          lane.adapter,
          [
            [updatesBetween(before, after, 'proactive') > 0, 'no background refresh before the token was due to expire'],
            [tokenRequests === refreshes, `${tokenRequests} token requests for ${plural(refreshes, 'refresh', 'refreshes')}`],
            [waited === 0, `${plural(waited, 'request')} waited for a token after the first one`],
            noFailures(lane, before, after),
          ],
          `${plural(refreshes, 'background refresh', 'background refreshes')} so far ` +
            `(token requests ${first.attempts} → ${after.attempts}); ` +
            `${plural(after.requests - first.requests, 'request')}, not one waited for a token`,
        )
      }),
    }
  },
}
