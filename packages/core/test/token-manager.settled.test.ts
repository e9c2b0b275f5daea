import { ManualClock, countingSource, flush, useManagers } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../src/errors.ts'
import { endpointError } from './support/endpoint-error.ts'

const manager = useManagers()

describe('settled', () => {
  it('resolves at once when nothing is in flight', async () => {
    const m = manager({ source: countingSource(), clock: new ManualClock() })
    await expect(m.settled()).resolves.toBeUndefined()
    await m.getToken()
    await expect(m.settled()).resolves.toBeUndefined()
  })

  it('resolves after the acquisition in flight, once every waiting caller has its token', async () => {
    const source = countingSource()
    const release = source.hold()
    const m = manager({ source, clock: new ManualClock() })
    const order: string[] = []
    const waiting = Array.from({ length: 3 }, () => m.getToken().then((token) => order.push(token.accessToken)))
    const settled = m.settled().then(() => order.push('settled'))
    await flush()
    expect(order).toEqual([])
    release()
    await Promise.all([...waiting, settled])
    expect(order).toEqual(['token-1', 'token-1', 'token-1', 'settled'])
  })

  it('waits for the acquisition a caller asking for more starts when the one in flight ends', async () => {
    const source = countingSource()
    const m = manager({ source, clock: new ManualClock(), coolDown: 0 })
    const first = await m.getToken()
    const release = source.hold()
    const forced = m.refresh()
    const withClaims = m.reacquire(first, { claims: '{"access_token":{"acrs":{"values":["c1"]}}}' })
    let settledAt: number | undefined
    const settled = m.settled().then(() => (settledAt = source.calls))
    await source.called(2)
    release()
    await expect(forced).resolves.toMatchObject({ accessToken: 'token-2' })
    await expect(withClaims).resolves.toMatchObject({ accessToken: 'token-3' })
    await settled
    expect(settledAt).toBe(3)
    expect(source.contexts[2]?.reason).toBe('claims')
  })

  it('called as a token is published (from an updated listener), still waits for every waiting caller', async () => {
    const source = countingSource()
    const m = manager({ source, clock: new ManualClock(), coolDown: 0 })
    const first = await m.getToken()
    const release = source.hold()
    const forced = m.refresh()
    const withClaims = m.reacquire(first, { claims: '{"access_token":{"acrs":{"values":["c1"]}}}' })
    let settled: Promise<number> | undefined
    const off = m.subscribe((event) => {
      if (event.type !== 'updated') return
      off()
      settled = m.settled().then(() => source.calls)
    })
    release()
    await Promise.all([forced, withClaims])
    expect(await settled).toBe(3)
  })

  it('never rejects: resolves once a failed acquisition has failed its callers', async () => {
    const source = countingSource()
    source.failWith(endpointError(400, 'invalid_client'))
    const m = manager({ source, clock: new ManualClock() })
    const waiting = m.getToken().catch((error: { code: string }) => error.code)
    await m.settled()
    expect(await waiting).toBe(ErrorCode.ACQUISITION_FAILED)
  })
})
