import diagnostics_channel from 'node:diagnostics_channel'
import { type RedisAvailabilityMessage, diagnosticsChannels } from '@tokenwarden/core'
import { SkippingClock } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { redisStore } from '../src/index.ts'
import { useStoreFleet } from './support/store-fleet.ts'
import { flakyClient } from './support/store-inputs.ts'

const { prefix, newKey, newClient, closeLater } = useStoreFleet()

describe('the tokenwarden:redis:availability channel', () => {
  it('tells when Redis became unavailable and when it answered again, with the key prefix only', async () => {
    const messages: RedisAvailabilityMessage[] = []
    const listener = (message: unknown): void => {
      messages.push(message as RedisAvailabilityMessage)
    }
    diagnostics_channel.subscribe(diagnosticsChannels.redisAvailability, listener)
    try {
      const flaky = flakyClient(await newClient())
      const clock = new SkippingClock()
      const store = redisStore({ client: flaky.client, keyPrefix: prefix, clock })
      closeLater(store)
      const key = newKey()
      flaky.failing = true
      await expect(store.get(key)).rejects.toMatchObject({ code: 'TOKEN_STORE_UNAVAILABLE' })
      expect(messages).toEqual([{ available: false, keyPrefix: prefix }])
      flaky.failing = false
      clock.skipped += 10_000
      await expect(store.get(key)).resolves.toBeUndefined()
      expect(messages).toEqual([
        { available: false, keyPrefix: prefix },
        { available: true, keyPrefix: prefix },
      ])
    } finally {
      diagnostics_channel.unsubscribe(diagnosticsChannels.redisAvailability, listener)
    }
  })
})
