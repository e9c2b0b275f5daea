import { acquireContext, expectNotLogged } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import type { TokenGrant } from '../../src/source.ts'
import { staticToken } from '../../src/sources/static-token.ts'
import { TokenManager } from '../../src/token-manager.ts'

const SECRET = 'static-secret-9c2e71'

describe('staticToken', () => {
  it('gives its access token to a manager as a Bearer token that never expires by time', async () => {
    await using manager = new TokenManager({ name: 'ci', source: staticToken(SECRET), prefetch: 'lazy' })
    const token = await manager.getToken()
    expect(token.accessToken).toBe(SECRET)
    expect(token.tokenType).toBe('Bearer')
    expect(token.expiresAt).toBeUndefined()
    expect(token.source).toBe('static')
  })

  it('takes a whole grant', async () => {
    const source = staticToken({ accessToken: SECRET, tokenType: 'dpop', expiresIn: 3600, scope: 'a b' })
    await using manager = new TokenManager({ source, prefetch: 'lazy' })
    const token = await manager.getToken()
    expect(token.tokenType).toBe('DPoP')
    expect(token.scope).toEqual(['a', 'b'])
    expect(token.expiresAt).toBe(token.issuedAt + 3_600_000)
  })

  it('answers every acquisition with a fresh copy that later changes to the original do not reach', async () => {
    const grant: TokenGrant = { accessToken: SECRET, scope: ['a'] }
    const source = staticToken(grant)
    grant.accessToken = 'changed'
    const first = await source.acquire(acquireContext())
    ;(first.scope as string[]).push('tampered')
    const second = await source.acquire(acquireContext())
    expect(second).toEqual({ accessToken: SECRET, scope: ['a'] })
    expect(second).not.toBe(first)
  })

  it('rejects with the reason when the signal is already aborted', async () => {
    const controller = new AbortController()
    const reason = new Error('closing')
    controller.abort(reason)
    await expect(staticToken(SECRET).acquire(acquireContext({ signal: controller.signal }))).rejects.toBe(reason)
  })

  it.each([[''], [{ accessToken: '' }], [{}], [42]])('refuses %j with a coded TypeError', (value) => {
    expect(() => staticToken(value as never)).toThrow(
      expect.objectContaining({ name: 'TypeError', code: ErrorCode.INVALID_OPTION, option: 'accessToken' }),
    )
  })

  it('never shows its token when printed', () => {
    expectNotLogged(staticToken(SECRET), SECRET)
  })
})
