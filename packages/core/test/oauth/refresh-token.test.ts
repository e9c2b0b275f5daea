import { ManualClock, acquireContext, rejection, useManagers } from '@tokenwarden/test-utils'
import { type Idp, fixture, obtainDeviceGrant, startIdp } from '@tokenwarden/test-utils/oidc'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, ReauthorizationRequiredError } from '../../src/errors.ts'
import { refreshToken } from '../../src/oauth/refresh-token.ts'
import { TokenEndpointError } from '../../src/oauth/token-endpoint-error.ts'
import { MemoryStore } from '../../src/stores/memory-store.ts'
import type { TokenRecord } from '../../src/token.ts'

let idp: Idp
const manager = useManagers({ name: 'crm' })

beforeAll(async () => {
  idp = await startIdp()
})
afterAll(async () => {
  await idp.close()
})

const source = (token: string, extra: { scope?: string } = {}): ReturnType<typeof refreshToken> =>
  refreshToken({ issuer: idp.issuer, ...fixture.device, refreshToken: token, ...extra })

/** A store that logs each write in `timeline`. */
class RecordingStore extends MemoryStore {
  constructor(readonly timeline: string[]) {
    super()
  }
  override async set(key: string, record: TokenRecord): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve))
    await super.set(key, record)
    this.timeline.push(`persisted ${record.refreshToken}`)
  }
}

describe('refresh-token rotation against oidc-provider', () => {
  it('persists each rotated refresh token before publishing its access token; the old one is refused afterwards', async () => {
    const grant = await obtainDeviceGrant(idp)
    const timeline: string[] = []
    const store = new RecordingStore(timeline)
    const m = manager({ source: source(grant.refreshToken), store })
    const seenInStore: (string | undefined)[] = []
    m.subscribe((event) => {
      if (event.type !== 'updated') return
      timeline.push(`published ${event.token.refreshToken}`)
      store.get('crm').then((record) => seenInStore.push(record?.refreshToken), () => {})
    })

    const first = await m.getToken()
    const second = await m.refresh()
    await new Promise((resolve) => setImmediate(resolve))
    const [rt2, rt3] = [first.refreshToken, second.refreshToken]
    expect(new Set([grant.refreshToken, rt2, rt3]).size).toBe(3)
    expect(timeline).toEqual([`persisted ${rt2}`, `published ${rt2}`, `persisted ${rt3}`, `published ${rt3}`])
    expect(seenInStore).toEqual([rt2, rt3])
    expect(idp.tokenRequests.slice(-2).map((r) => r.params.get('refresh_token'))).toEqual([grant.refreshToken, rt2])
    expect(first.idToken).toBeTypeOf('string')

    const stale = await rejection(() => source(grant.refreshToken).acquire(acquireContext()))
    expect(stale).toBeInstanceOf(ReauthorizationRequiredError)
    expect(stale.code).toBe(ErrorCode.REAUTHORIZATION_REQUIRED)
    expect(stale.cause).toBeInstanceOf(TokenEndpointError)
    expect(stale.cause).toMatchObject({ status: 400, error: 'invalid_grant', transient: false })
  })

  it('uses the refresh token kept with the stored token after a restart, not the configured one', async () => {
    const grant = await obtainDeviceGrant(idp)
    const store = new MemoryStore()
    const before = await manager({ source: source(grant.refreshToken), store }).getToken()
    const later = new ManualClock(Date.now() + 3_600_000)
    const restarted = manager({ source: source(grant.refreshToken), store, clock: later })
    const token = await restarted.getToken()
    expect(idp.tokenRequests.at(-1)?.params.get('refresh_token')).toBe(before.refreshToken)
    expect(token.refreshToken).not.toBe(before.refreshToken)
    expect((await store.get('crm'))?.refreshToken).toBe(token.refreshToken)
  })

  it('after invalid_grant, retries once with a different refresh token found in the store', async () => {
    const grant = await obtainDeviceGrant(idp)
    const stored = { accessToken: 'a', tokenType: 'Bearer', scope: [], issuedAt: 0, source: 'refresh-token', refreshToken: grant.refreshToken }
    const requests = idp.tokenRequests.length
    const answer = await source('a-refresh-token-nobody-issued').acquire(acquireContext({ stored: async () => stored }))
    expect(idp.tokenRequests.length - requests).toBe(2)
    expect(idp.tokenRequests.at(-1)?.params.get('refresh_token')).toBe(grant.refreshToken)
    expect(answer.refreshToken).toBeTypeOf('string')
    expect(answer.refreshToken).not.toBe(grant.refreshToken)
  })

  it('fails with ReauthorizationRequiredError carrying the scopes when the stored refresh token fails too (reuse detection revoked the grant)', async () => {
    const grant = await obtainDeviceGrant(idp)
    const store = new MemoryStore()
    const a = manager({ source: source(grant.refreshToken), store })
    const b = manager({ source: source(grant.refreshToken), store, scopes: ['api:read'] })
    await a.getToken()
    await b.getToken()
    await b.refresh()
    const requests = idp.tokenRequests.length
    const error = await rejection(() => a.refresh())
    expect(error).toBeInstanceOf(ReauthorizationRequiredError)
    expect((error as unknown as ReauthorizationRequiredError).scopes).toEqual(
      ['openid', 'offline_access', 'api:read', 'api:write'],
    )
    expect(idp.tokenRequests.length - requests).toBe(2)
    expect(a.stats().attempts).toBe(2)
  })

  it('upgrades scopes with the same grant, and asks for reauthorization for scopes the grant lacks', async () => {
    const grant = await obtainDeviceGrant(idp)
    const m = manager({ source: source(grant.refreshToken, { scope: 'api:read' }) })
    expect((await m.getToken()).scope).toEqual(['api:read'])
    const upgraded = await m.upgradeScopes(['api:write'])
    expect(upgraded.scope).toEqual(['api:read', 'api:write'])
    expect(idp.tokenRequests.at(-1)?.params.get('scope')).toBe('api:read api:write')
    const error = await rejection(() => m.upgradeScopes(['admin']))
    expect(error).toBeInstanceOf(ReauthorizationRequiredError)
    expect((error as unknown as ReauthorizationRequiredError).scopes).toEqual(['api:read', 'api:write', 'admin'])
  })

  it('keeps the refresh token it used when the server does not rotate', async () => {
    const plain = await startIdp({ rotateRefreshToken: false })
    try {
      const grant = await obtainDeviceGrant(plain)
      const m = manager({ source: refreshToken({ issuer: plain.issuer, ...fixture.device, refreshToken: grant.refreshToken }) })
      expect((await m.getToken()).refreshToken).toBe(grant.refreshToken)
      expect((await m.refresh()).refreshToken).toBe(grant.refreshToken)
    } finally {
      await plain.close()
    }
  })
})
