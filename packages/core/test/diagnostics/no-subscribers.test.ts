import diagnostics_channel from 'node:diagnostics_channel'
import { ManualClock, countingSource, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { CredentialRegistry } from '../../src/credential-registry.ts'
import { diagnosticsChannels } from '../../src/diagnostics/diagnostics-channels.ts'
import { AuthRequest } from '../../src/policy/auth-request.ts'
import { RequestAuth } from '../../src/policy/request-auth.ts'
import { credentialPool } from '../../src/pool/credential-pool.ts'
import { FleetStore } from '../support/fleet-store.ts'

const manager = useManagers()

/** A manager's whole life with nobody listening: tokens served, a failure, a 401 retry, a fleet store, a pool. */
async function everything(): Promise<void> {
  const clock = new ManualClock()
  const source = countingSource({ expiresIn: 100 })
  const m = manager({ name: 'api', source, clock, refreshBefore: 20, prefetch: 'async', store: new FleetStore(), maxRetries: 0, coolDown: 0 })
  const token = await m.getToken()
  for (let i = 0; i < 10; i++) m.current()
  await clock.advance(85_000)
  await m.reacquire(token)
  source.failWith(new Error('down'))
  await m.refresh().catch(() => undefined)
  const registry = new CredentialRegistry()
  registry.register('api', { source: countingSource(), origins: ['https://api.example.com'], prefetch: 'lazy' })
  const request = new RequestAuth('api', { registry }).begin({ url: 'https://api.example.com/', method: 'GET' })
  if (!(request instanceof AuthRequest)) throw new Error('expected an AuthRequest')
  await request.ready()
  await request.respond(401, () => undefined)
  await registry.close()
  const pool = credentialPool({ name: 'p', template: () => ({ source: countingSource(), origins: ['https://api.example.com'] }), max: 1 })
  await pool.get('a').getToken()
  pool.get('b')
  await pool.close()
}

const channelNames = Object.values(diagnosticsChannels).filter((name) => name !== diagnosticsChannels.acquisition)

describe('with nobody subscribed', () => {
  it('publishes nothing and traces nothing: no message is made', async () => {
    const channelPrototype = Object.getPrototypeOf(diagnostics_channel.channel(diagnosticsChannels.tokenServed)) as { publish: () => void }
    const tracingPrototype = Object.getPrototypeOf(diagnostics_channel.tracingChannel(diagnosticsChannels.acquisition)) as {
      tracePromise: () => Promise<unknown>
    }
    const publish = vi.spyOn(channelPrototype, 'publish')
    const tracePromise = vi.spyOn(tracingPrototype, 'tracePromise')
    await everything()
    expect(publish).not.toHaveBeenCalled()
    expect(tracePromise).not.toHaveBeenCalled()
  })

  it('publishes nothing once every subscriber left', async () => {
    const received: unknown[] = []
    const listener = (message: unknown): void => {
      received.push(message)
    }
    const handlers = { start: listener, end: listener, asyncStart: listener, asyncEnd: listener, error: listener }
    for (const name of channelNames) diagnostics_channel.subscribe(name, listener)
    diagnostics_channel.tracingChannel(diagnosticsChannels.acquisition).subscribe(handlers)
    await everything()
    expect(received.length).toBeGreaterThan(0)
    for (const name of channelNames) diagnostics_channel.unsubscribe(name, listener)
    diagnostics_channel.tracingChannel(diagnosticsChannels.acquisition).unsubscribe(handlers)
    received.length = 0
    await everything()
    expect(received).toEqual([])
  })
})

describe('on a runtime without diagnostics_channel', () => {
  it('works, and publishes nothing', async () => {
    const received: unknown[] = []
    const listener = (message: unknown): void => {
      received.push(message)
    }
    diagnostics_channel.subscribe(diagnosticsChannels.tokenServed, listener)
    const getBuiltinModule = vi.spyOn(process, 'getBuiltinModule').mockReturnValue(undefined as never)
    vi.resetModules()
    try {
      const core = await import('../../src/index.ts')
      const m = new core.TokenManager({ name: 'bare', source: countingSource(), prefetch: 'lazy' })
      const token = await m.getToken()
      expect(m.current()).toBe(token)
      await m.close()
      expect(getBuiltinModule).toHaveBeenCalledWith('node:diagnostics_channel')
      expect(received).toEqual([])
    } finally {
      diagnostics_channel.unsubscribe(diagnosticsChannels.tokenServed, listener)
    }
  })
})
