import { acquireContext, expectNotLogged, rejection } from '@tokenwarden/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode, TokenAcquisitionError } from '../../src/errors.ts'
import { fromFunction } from '../../src/sources/from-function.ts'
import { TokenManager } from '../../src/token-manager.ts'

const SECRET = 'fn-secret-1b7e52d0'

describe('fromFunction', () => {
  it("records kind 'function' by default, or the kind it is given", () => {
    expect(fromFunction(() => ({ accessToken: 'a' })).kind).toBe('function')
    expect(fromFunction(() => ({ accessToken: 'a' }), { kind: 'vault' }).kind).toBe('vault')
  })

  it('passes the acquisition context to the function', async () => {
    const fn = vi.fn(() => ({ accessToken: 'a' }))
    const ctx = acquireContext({ reason: 'forced', credential: 'graph' })
    await fromFunction(fn).acquire(ctx)
    expect(fn).toHaveBeenCalledWith(ctx)
  })

  it('accepts a synchronous function, and turns its throw into a rejection', async () => {
    const failure = new Error('boom')
    const source = fromFunction(() => {
      throw failure
    })
    const pending = source.acquire(acquireContext())
    expect(pending).toBeInstanceOf(Promise)
    await expect(pending).rejects.toBe(failure)
  })

  it("gives a manager the function's token, recording the kind", async () => {
    const source = fromFunction(async ({ reason }) => ({ accessToken: `${SECRET}-${reason}`, expiresIn: 60 }), { kind: 'vault' })
    await using manager = new TokenManager({ name: 'api', source, prefetch: 'lazy' })
    const token = await manager.getToken()
    expect(token.accessToken).toBe(`${SECRET}-initial`)
    expect(token.source).toBe('vault')
  })

  it('fails at once, without retrying, when the function says its error is terminal', async () => {
    const fn = vi.fn(async () => {
      throw Object.assign(new Error('revoked'), { transient: false })
    })
    await using manager = new TokenManager({ source: fromFunction(fn), prefetch: 'lazy', retryDelay: () => 0 })
    const error = await rejection(manager.getToken())
    expect(error).toBeInstanceOf(TokenAcquisitionError)
    expect(error).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, transient: false })
    expect(fn).toHaveBeenCalledTimes(1)
  })

  it('is retried after a transient error', async () => {
    const fn = vi
      .fn<() => Promise<{ accessToken: string }>>()
      .mockRejectedValueOnce(Object.assign(new Error('busy'), { status: 503 }))
      .mockResolvedValueOnce({ accessToken: SECRET })
    await using manager = new TokenManager({ source: fromFunction(fn), prefetch: 'lazy', retryDelay: () => 0 })
    expect((await manager.getToken()).accessToken).toBe(SECRET)
    expect(fn).toHaveBeenCalledTimes(2)
  })

  it('refuses a non-function and an empty kind with coded TypeErrors', () => {
    expect(() => fromFunction('nope' as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'fn' }))
    expect(() => fromFunction(() => ({ accessToken: 'a' }), { kind: '' })).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'kind' }),
    )
  })

  it('never shows a token it produced when printed', async () => {
    const source = fromFunction(() => ({ accessToken: SECRET }))
    await source.acquire(acquireContext())
    expectNotLogged(source, SECRET)
  })
})
