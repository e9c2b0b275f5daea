import { readFile } from 'node:fs/promises'
import type { MeterProvider, TracerProvider } from '@opentelemetry/api'
import { credentialPool, diagnosticsChannels } from '@tokenwarden/core'
import { countingSource, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { ACQUISITION_SPAN } from '../src/acquisition-spans.ts'
import { channels } from '../src/channels.ts'
import { attributeNames as a, instrument, metricNames as m } from '../src/index.ts'
import { total, useTelemetry } from './support/telemetry.ts'

const manager = useManagers()

describe('instrument', () => {
  it('listens on the channels core publishes, by their names in core', () => {
    const core: Record<string, string> = diagnosticsChannels
    for (const [key, name] of Object.entries(channels)) expect(core[key]).toBe(name)
  })

  it('names its package and version as the instrumentation scope', async () => {
    const telemetry = useTelemetry()
    await manager({ name: 'api', source: countingSource() }).getToken()
    const { name, version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string }
    expect(telemetry.spans()[0]?.instrumentationScope).toMatchObject({ name, version })
  })

  it('records nothing more once undone, and undoing twice does nothing', async () => {
    const telemetry = useTelemetry()
    const m1 = manager({ name: 'api', source: countingSource() })
    await m1.getToken()
    m1.current()
    telemetry.uninstrument()
    telemetry.uninstrument()
    const m2 = manager({ name: 'api', source: countingSource() })
    await m2.getToken()
    m2.current()
    expect(telemetry.spans().filter((span) => span.name === ACQUISITION_SPAN)).toHaveLength(1)
    expect(total(await telemetry.points(m.acquisitions))).toBe(1)
    expect(total(await telemetry.points(m.tokenRemainingLifetime))).toBe(1)
  })

  it('never fails a token request when the OpenTelemetry SDK throws', async () => {
    const boom = (): never => {
      throw new Error('sdk failure')
    }
    const tracerProvider = { getTracer: () => ({ startSpan: boom, startActiveSpan: boom }) } as unknown as TracerProvider
    const instrument_ = { add: boom, record: boom }
    const meter = { createCounter: () => instrument_, createHistogram: () => instrument_, createUpDownCounter: () => instrument_ }
    const meterProvider = { getMeter: () => meter } as unknown as MeterProvider
    const uninstrument = instrument({ tracerProvider, meterProvider })
    try {
      const source = countingSource()
      const m1 = manager({ name: 'api', source, maxRetries: 0, coolDown: 0 })
      const token = await m1.getToken()
      expect(m1.current()).toBe(token)
      source.failWith(new Error('down'))
      await expect(m1.refresh()).rejects.toMatchObject({ code: 'TOKEN_ACQUISITION_FAILED' })
      expect(m1.current()).toBe(token)
    } finally {
      uninstrument()
    }
  })

  it('refuses options that are not providers, with a coded TypeError naming the option', () => {
    expect(() => instrument({ tracerProvider: {} as TracerProvider })).toThrow(expect.objectContaining({ name: 'TypeError', code: 'TOKEN_INVALID_OPTION' }))
    expect(() => instrument({ meterProvider: 1 as unknown as MeterProvider })).toThrow(/meterProvider/)
    expect(() => instrument(null as never)).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID_OPTION' }))
  })
})

describe('a credential pool', () => {
  it('is counted under its name, not its keys, and its size and evictions are recorded', async () => {
    const telemetry = useTelemetry()
    const pool = credentialPool({ name: 'tenants', template: () => ({ source: countingSource(), origins: ['https://api.example.com'] }), max: 2 })
    for (const key of ['a', 'b', 'c']) {
      await pool.get(key).getToken()
      pool.get(key).current()
    }
    const acquisitions = await telemetry.points(m.acquisitions)
    expect(acquisitions.map((point) => point.attributes)).toEqual([
      { [a.pool]: 'tenants', [a.reason]: 'initial', [a.outcome]: 'source' },
    ])
    expect(total(acquisitions)).toBe(3)
    expect(total(await telemetry.points(m.poolSize), { [a.pool]: 'tenants' })).toBe(2)
    expect(total(await telemetry.points(m.poolEvictions), { [a.pool]: 'tenants', [a.evictionReason]: 'max' })).toBe(1)
    const spans = telemetry.spans().filter((span) => span.name === ACQUISITION_SPAN)
    expect(spans.map((span) => span.attributes[a.credential])).toEqual(['tenants:a', 'tenants:b', 'tenants:c'])
    await pool.close()
    expect(total(await telemetry.points(m.poolSize), { [a.pool]: 'tenants' })).toBe(0)
  })
})
