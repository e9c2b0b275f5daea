import { type LaneSnapshot, updatesBetween } from '../lane.ts'
import { pause, until } from '../traffic.ts'
import { type Step, begin, duration, judge, noFailures, plural } from './step.ts'

/** Slack beyond a token's lifetime for its background refresh to have met the outage. */
const SLACK_MS = 5_000
/** How long every adapter has to renew its token once the IdP is back. */
const RENEWAL_TIMEOUT_MS = 10_000
/** Traffic kept flowing after renewal. */
const TAIL_MS = 200

/** Tokens published by a renewal, in the background or after callers had to wait. */
function renewals(before: LaneSnapshot, after: LaneSnapshot): number {
  return updatesBetween(before, after, 'proactive') + updatesBetween(before, after, 'expired')
}

/**
 * Step 4: the IdP answers 503 to everything while the tokens are still valid. Each background
 * refresh fails and backs off, the still-valid token keeps being served, no request fails; once
 * the IdP is back, the next retry renews the token.
 */
export const idpOutage: Step = {
  title: 'The IdP goes down (503) while the tokens are valid',
  async run({ lanes, world }) {
    const control = world.control
    if (control === undefined) return { skipped: 'needs control of the IdP: embedded mode only' }
    const started = begin(lanes)
    const downAt = performance.now()
    let downForMs: number
    control.setIdpDown(true)
    try {
      const lifetimeMs = (world.tokenLifetimeSeconds ?? 0) * 1000
      const metOutage = (): boolean =>
        started.every(({ lane, before }) => lane.snapshot().refreshFailures > before.refreshFailures)
      await until(metOutage, lifetimeMs + SLACK_MS)
    } finally {
      control.setIdpDown(false)
      downForMs = performance.now() - downAt
    }
    const renewedAll = (): boolean => started.every(({ lane, before }) => renewals(before, lane.snapshot()) > 0)
    if (await until(renewedAll, RENEWAL_TIMEOUT_MS)) await pause(TAIL_MS)
    return {
      outcomes: started.map(({ lane, before }) => {
        const after = lane.snapshot()
        const failedRefreshes = after.refreshFailures - before.refreshFailures
        const renewed = renewals(before, after)
        const waited = after.waits - before.waits
        return judge(
          lane.adapter,
          [
            [failedRefreshes > 0, `no refresh was attempted during the ${duration(downForMs)} outage`],
            noFailures(lane, before, after),
            [renewed > 0, `the token was not renewed within ${duration(RENEWAL_TIMEOUT_MS)} of the IdP coming back`],
          ],
          `down ${duration(downForMs)}: ${plural(failedRefreshes, 'background refresh', 'background refreshes')} failed, ` +
            `${plural(after.requests - before.requests, 'request')} served with the valid token ` +
            `(${waited} waited), none failed; renewed once the IdP was back`,
        )
      }),
    }
  },
}
