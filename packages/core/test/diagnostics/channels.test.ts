import diagnostics_channel from 'node:diagnostics_channel'
import { ManualClock, countingSource, useManagers } from '@tokenwarden/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import { CredentialRegistry } from '../../src/credential-registry.ts'
import { diagnosticsChannels } from '../../src/diagnostics/diagnostics-channels.ts'
import type { AcquisitionMessage } from '../../src/diagnostics/diagnostics-messages.ts'
import { ErrorCode, TokenError } from '../../src/errors.ts'
import { TokenEndpointError } from '../../src/oauth/token-endpoint-error.ts'
import { AuthRequest } from '../../src/policy/auth-request.ts'
import { RequestAuth } from '../../src/policy/request-auth.ts'
import { credentialPool } from '../../src/pool/credential-pool.ts'
import { MemoryStore } from '../../src/stores/memory-store.ts'
import { FleetStore } from '../support/fleet-store.ts'

const manager = useManagers()
const unsubscribes: (() => void)[] = []
afterEach(() => {
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe()
})

/** Every message published on channel `name` from now to the end of the test. */
function record<T = Record<string, unknown>>(name: string): T[] {
  const messages: T[] = []
  const listener = (message: unknown): void => {
    messages.push(structuredClone(message) as T)
  }
  diagnostics_channel.subscribe(name, listener)
  unsubscribes.push(() => diagnostics_channel.unsubscribe(name, listener))
  return messages
}

/** Every event of the acquisition tracing channel, with a copy of its message as it was then. */
function traceAcquisitions(): { event: string; message: AcquisitionMessage }[] {
  const events: { event: string; message: AcquisitionMessage }[] = []
  const on = (event: string) => (message: unknown) => {
    const { error, ...rest } = message as AcquisitionMessage
    events.push({ event, message: { ...rest, ...(error === undefined ? {} : { error: (error as TokenError).code }) } })
  }
  const handlers = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') }
  const channel = diagnostics_channel.tracingChannel(diagnosticsChannels.acquisition)
  channel.subscribe(handlers)
  unsubscribes.push(() => channel.unsubscribe(handlers))
  return events
}

/** Whether `value`, serialised, holds any of `secrets`. */
function holdsAny(value: unknown, secrets: readonly string[]): boolean {
  const text = JSON.stringify(value)
  return secrets.some((secret) => text.includes(secret))
}

describe('the acquisition tracing channel', () => {
  it('traces one acquisition: start with its credential, reason and source; asyncEnd with outcome, attempts, duration and token facts, never the token', async () => {
    const events = traceAcquisitions()
    const clock = new ManualClock()
    const source = countingSource({ expiresIn: 600 })
    const release = source.hold()
    const m = manager({ name: 'api', source, clock })
    const pending = m.getToken()
    await clock.advance(250)
    release()
    const token = await pending
    expect(events.map((e) => e.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd'])
    expect(events[0]?.message).toEqual({ credential: 'api', pool: undefined, reason: 'initial', source: 'counting', startedAt: clock.now() - 250 })
    expect(events[3]?.message).toEqual({
      credential: 'api',
      pool: undefined,
      reason: 'initial',
      source: 'counting',
      startedAt: clock.now() - 250,
      outcome: 'source',
      attempts: 1,
      durationMs: 250,
      generation: 1,
      tokenType: 'Bearer',
      lifetimeMs: 600_000,
      result: undefined,
    })
    expect(holdsAny(events, [token.accessToken])).toBe(false)
  })

  it('traces a failed acquisition: every attempt on refresh:failed, then the error with its code and attempts', async () => {
    const events = traceAcquisitions()
    const failures = record(diagnosticsChannels.refreshFailed)
    const source = countingSource()
    source.failWith(
      new TokenEndpointError('the token endpoint answered 429', { status: 429, error: 'slow_down', transient: true, secrets: [] }),
    )
    const m = manager({ name: 'api', source, maxRetries: 2, retryDelay: () => 0, coolDown: 0 })
    const error = await m.getToken().catch((e: unknown) => e)
    expect((error as TokenError).code).toBe(ErrorCode.ACQUISITION_FAILED)
    expect(events.map((e) => e.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd'])
    expect(events[4]?.message).toMatchObject({ outcome: 'failed', attempts: 3, code: ErrorCode.ACQUISITION_FAILED, error: ErrorCode.ACQUISITION_FAILED })
    expect(failures).toEqual([1, 2, 3].map((attempt) => ({
      credential: 'api',
      pool: undefined,
      reason: 'initial',
      attempt,
      code: ErrorCode.ENDPOINT_ERROR,
      status: 429,
      oauthError: 'slow_down',
      retryInMs: attempt < 3 ? 0 : undefined,
    })))
  })

  it('names how a store answered: stored from a plain store, lease-won and lease-waited in a fleet', async () => {
    const events = traceAcquisitions()
    const plain = new MemoryStore()
    await manager({ name: 'plain', source: countingSource(), store: plain }).getToken()
    await manager({ name: 'plain', source: countingSource(), store: plain }).getToken()
    const fleet = new FleetStore()
    const clock = new ManualClock()
    const a = manager({ name: 'fleet', source: countingSource({ prefix: 'a' }), store: fleet, clock })
    const b = manager({ name: 'fleet', source: countingSource({ prefix: 'b' }), store: fleet, clock })
    const coordinated = record(diagnosticsChannels.storeCoordinated)
    await Promise.all([a.getToken(), b.getToken()])
    const outcomes = events.filter((e) => e.event === 'asyncEnd').map((e) => `${e.message.credential} ${e.message.outcome} ${e.message.attempts}`)
    expect(outcomes).toEqual(['plain source 1', 'plain stored 0', 'fleet lease-won 1', 'fleet lease-waited 0'])
    expect(coordinated).toEqual([
      { credential: 'fleet', pool: undefined, outcome: 'lease-won' },
      { credential: 'fleet', pool: undefined, outcome: 'lease-waited' },
    ])
  })
})

describe('the token channels', () => {
  it('publishes each token served from memory, with its remaining lifetime and whether it is stale', async () => {
    const served = record(diagnosticsChannels.tokenServed)
    const clock = new ManualClock()
    const m = manager({ name: 'api', source: countingSource({ expiresIn: 100 }), clock, refreshBefore: 20 })
    const token = await m.getToken()
    expect(served).toEqual([])
    await clock.advance(10_000)
    expect(m.current()).toBe(token)
    await clock.advance(75_000)
    m.current()
    expect(served).toEqual([
      { credential: 'api', pool: undefined, generation: 1, remainingMs: 90_000, stale: false },
      { credential: 'api', pool: undefined, generation: 1, remainingMs: 15_000, stale: true },
    ])
  })

  it('publishes new tokens, invalidations and the next renewal, with no secret', async () => {
    const updated = record(diagnosticsChannels.tokenUpdated)
    const invalidated = record(diagnosticsChannels.tokenInvalidated)
    const scheduled = record(diagnosticsChannels.refreshScheduled)
    const clock = new ManualClock()
    const m = manager({ name: 'api', source: countingSource({ expiresIn: 100 }), clock, refreshBefore: 20, prefetch: 'async' })
    const first = await m.getToken()
    const second = await m.reacquire(first)
    expect(updated).toEqual([
      { credential: 'api', pool: undefined, reason: 'initial', generation: 1, tokenType: 'Bearer', source: 'counting', lifetimeMs: 100_000 },
      { credential: 'api', pool: undefined, reason: 'rejected', generation: 2, tokenType: 'Bearer', source: 'counting', lifetimeMs: 100_000 },
    ])
    expect(invalidated).toEqual([{ credential: 'api', pool: undefined, generation: 1 }])
    expect(scheduled).toEqual([
      { credential: 'api', pool: undefined, refreshAt: first.refreshAt, delayMs: (first.refreshAt ?? 0) - first.issuedAt, afterFailure: false },
      { credential: 'api', pool: undefined, refreshAt: second.refreshAt, delayMs: (second.refreshAt ?? 0) - second.issuedAt, afterFailure: false },
    ])
    expect(holdsAny([updated, invalidated, scheduled], [first.accessToken, second.accessToken])).toBe(false)
  })

  it('publishes the retry of a failed background refresh as scheduled after a failure', async () => {
    const scheduled = record(diagnosticsChannels.refreshScheduled)
    const clock = new ManualClock()
    const source = countingSource({ expiresIn: 100 })
    const m = manager({ name: 'api', source, clock, refreshBefore: 20, prefetch: 'async', maxRetries: 0, retryDelay: () => 5_000 })
    await m.getToken()
    source.failWith(new TokenError(ErrorCode.SOURCE_FAILED, 'down', { transient: true }))
    await clock.advance(80_000)
    const retry = scheduled.at(-1)
    expect(retry).toEqual({ credential: 'api', pool: undefined, refreshAt: expect.any(Number), delayMs: 5_000, afterFailure: true })
    expect(retry?.refreshAt).toBeGreaterThan(clock.now())
  })

  it('publishes store failures with the error code only', async () => {
    const failed = record(diagnosticsChannels.storeFailed)
    const store = new FleetStore()
    store.down = true
    await manager({ name: 'api', source: countingSource(), store }).getToken()
    expect(failed).toEqual([{ credential: 'api', pool: undefined, code: expect.any(String) }])
  })
})

describe('the request channels', () => {
  const registry = new CredentialRegistry()
  afterEach(() => registry.close())

  it('publishes each challenge, and each retry with its kind and status', async () => {
    const challenges = record(diagnosticsChannels.challenge)
    const retries = record(diagnosticsChannels.requestRetried)
    registry.register('api', { source: countingSource(), origins: ['https://api.example.com'], prefetch: 'lazy' })
    const request = new RequestAuth('api', { registry }).begin({ url: 'https://api.example.com/v1?secret=1', method: 'GET' })
    if (!(request instanceof AuthRequest)) throw new Error('expected an AuthRequest')
    await request.ready()
    const header = (name: string) => (name === 'www-authenticate' ? 'Bearer error="invalid_token"' : undefined)
    expect(await request.respond(401, header)).toBe('token')
    expect(request.respond(401, header)).toBeUndefined()
    expect(retries).toEqual([{ credential: 'api', pool: undefined, kind: 'token', status: 401 }])
    expect(challenges).toEqual([
      { credential: 'api', pool: undefined, status: 401, scheme: 'Bearer', error: 'invalid_token', action: 'reacquire' },
      { credential: 'api', pool: undefined, status: 401, scheme: 'Bearer', error: 'invalid_token', action: 'returned' },
    ])
  })
})

describe('the pool channels', () => {
  it('publishes each manager a pool makes and drops, with why; its managers name the pool', async () => {
    const created = record(diagnosticsChannels.poolCreated)
    const evicted = record(diagnosticsChannels.poolEvicted)
    const updated = record(diagnosticsChannels.tokenUpdated)
    const pool = credentialPool({ name: 'tenants', template: () => ({ source: countingSource(), origins: ['https://api.example.com'] }), max: 1 })
    await pool.get('a').getToken()
    pool.get('b')
    await pool.delete('b')
    pool.get('c')
    await pool.close()
    expect(created).toEqual(['a', 'b', 'c'].map((key) => ({ pool: 'tenants', credential: `tenants:${key}` })))
    expect(evicted).toEqual([
      { pool: 'tenants', credential: 'tenants:a', reason: 'max' },
      { pool: 'tenants', credential: 'tenants:b', reason: 'deleted' },
      { pool: 'tenants', credential: 'tenants:c', reason: 'closed' },
    ])
    expect(updated).toMatchObject([{ credential: 'tenants:a', pool: 'tenants' }])
  })
})
