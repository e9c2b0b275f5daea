import { systemClock } from '@tokenwarden/core'
import { describe, expect, it } from 'vitest'
import { drivers } from './conformance/drivers/index.ts'
import { harness } from './conformance/harness.ts'

/**
 * Real time, through each adapter: 10 workers send requests back to back for `ms`; returns how many
 * requests were sent and how many token requests `calls()` counted when the time was up (later
 * ones, delayed past it, are not counted); `stop` then ends the waits still pending. The bounds asserted below follow from the cool-downs'
 * lower bounds (half of 1 s, 2 s, … with jitter), so they hold however fast or slow the machine is.
 */
async function workers(
  ms: number,
  calls: () => number,
  send: () => Promise<unknown>,
  stop?: () => Promise<void>,
): Promise<{ sent: number; calls: number }> {
  let sent = 0
  let counted: number | undefined
  const timer = setTimeout(() => {
    counted = calls()
    void stop?.()
  }, ms)
  const worker = async (): Promise<void> => {
    while (counted === undefined) {
      sent++
      await send().catch(() => {})
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await Promise.all(Array.from({ length: 10 }, worker))
  clearTimeout(timer)
  return { sent, calls: counted ?? calls() }
}

const invalidClient = Object.assign(new Error('the token endpoint answered 401 invalid_client'), {
  status: 401,
  error: 'invalid_client',
})

describe.each(drivers)('$name: a misbehaving identity provider is not flooded', (driver) => {
  it('makes at most 2 token requests in 1 s for 10 workers whose client secret is wrong, and recovers at once after refresh()', async () => {
    const h = await harness(driver, { manager: { clock: systemClock } })
    h.source.failWith(invalidClient)
    const { sent, calls } = await workers(1_000, () => h.source.calls, () => h.client.request({ url: h.server.url('/echo') }))
    expect(sent).toBeGreaterThan(20)
    expect(calls).toBeGreaterThanOrEqual(1)
    expect(calls).toBeLessThanOrEqual(2)
    h.source.failWith(undefined)
    await h.manager.refresh()
    expect((await h.client.request({ url: h.server.url('/echo') })).status).toBe(200)
  })

  it('makes at most 3 token requests in 1 s for 10 workers whose API rejects every token', async () => {
    const h = await harness(driver, { manager: { clock: systemClock }, server: { validate: () => false } })
    const send = (): Promise<unknown> => h.client.request({ url: h.server.url('/echo') })
    const { sent, calls } = await workers(1_000, () => h.source.calls, send, () => h.manager.close())
    expect(sent).toBeGreaterThanOrEqual(10)
    expect(calls).toBeGreaterThanOrEqual(2)
    expect(calls).toBeLessThanOrEqual(3)
  })
})
