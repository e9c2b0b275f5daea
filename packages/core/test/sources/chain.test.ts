import { join } from 'node:path'
import { acquireContext, expectNotLogged, rejection, temporaryDirectory } from '@tokenwarden/test-utils'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode, TokenError, isTokenError } from '../../src/errors.ts'
import type { TokenGrant, TokenSource } from '../../src/source.ts'
import { ChainExhaustedError, chain } from '../../src/sources/chain.ts'
import { env } from '../../src/sources/env.ts'
import { file } from '../../src/sources/file.ts'
import { fromFunction } from '../../src/sources/from-function.ts'
import { staticToken } from '../../src/sources/static-token.ts'
import { TokenManager } from '../../src/token-manager.ts'

const SECRET = 'chain-secret-0a9be3c4'
const UNSET = 'TOKENWARDEN_TEST_CHAIN_UNSET'

/** A member that counts its calls. */
function spySource(kind: string, answer: () => TokenGrant | Promise<TokenGrant>): TokenSource & { calls: () => number } {
  const fn = vi.fn(answer)
  return Object.assign(fromFunction(fn, { kind }), { calls: () => fn.mock.calls.length })
}

function failing(kind: string, error: unknown): TokenSource {
  return fromFunction(() => Promise.reject(error), { kind })
}

describe('chain', () => {
  it("answers with the first member that answers, and the manager's token records that member", async () => {
    const vault = spySource('vault', () => ({ accessToken: SECRET, expiresIn: 3600 }))
    const later = spySource('later', () => ({ accessToken: 'not-used' }))
    const source = chain([env(UNSET), vault, later])
    expect(source.kind).toBe('chain')
    await using manager = new TokenManager({ name: 'api', source, prefetch: 'lazy' })
    const token = await manager.getToken()
    expect(token.accessToken).toBe(SECRET)
    expect(token.source).toBe('vault')
    expect(vault.calls()).toBe(1)
    expect(later.calls()).toBe(0)
  })

  it('asks the members again, in order, at each acquisition', async () => {
    let vaultUp = false
    const vault = spySource('vault', () => (vaultUp ? { accessToken: 'from-vault' } : Promise.reject(new Error('down'))))
    await using manager = new TokenManager({ source: chain([vault, staticToken('fallback')]), prefetch: 'lazy' })
    expect(await manager.getToken()).toMatchObject({ accessToken: 'fallback', source: 'static' })
    vaultUp = true
    expect(await manager.refresh()).toMatchObject({ accessToken: 'from-vault', source: 'vault' })
  })

  it('records the innermost member that answered for a nested chain', async () => {
    const inner = chain([failing('broken', new Error('no')), staticToken(SECRET)])
    await using manager = new TokenManager({ source: chain([env(UNSET), inner]), prefetch: 'lazy' })
    expect((await manager.getToken()).source).toBe('static')
  })

  it('passes the grant through with the member recorded, keeping getter fields', async () => {
    await using first = new TokenManager({ source: staticToken({ accessToken: SECRET, refreshToken: 'r', scope: 'a' }), prefetch: 'lazy' })
    const previous = await first.getToken()
    const grant = await chain([fromFunction(() => previous as unknown as TokenGrant, { kind: 'replay' })]).acquire(acquireContext())
    expect(grant).toMatchObject({ accessToken: SECRET, refreshToken: 'r', scope: ['a'], source: 'static' })
  })

  it('skips a member that answers without an access token', async () => {
    const empty = spySource('empty', () => ({ accessToken: '' }))
    const grant = await chain([empty, staticToken(SECRET)]).acquire(acquireContext())
    expect(grant).toMatchObject({ accessToken: SECRET, source: 'static' })
    expect(empty.calls()).toBe(1)
  })

  it('fails with CHAIN_EXHAUSTED listing why each member failed, the last error as cause', async () => {
    const missing = join(await temporaryDirectory(), 'absent')
    const last = Object.assign(new Error('denied'), { status: 401 })
    const error = await rejection<unknown>(chain([env(UNSET), file({ path: missing }), failing('vault', last)]).acquire(acquireContext()))
    expect(error).toBeInstanceOf(ChainExhaustedError)
    expect(error).toBeInstanceOf(TokenError)
    const exhausted = error as ChainExhaustedError
    expect(exhausted.code).toBe(ErrorCode.CHAIN_EXHAUSTED)
    expect(exhausted.errors.map(({ source }) => source)).toEqual(['env', 'file', 'vault'])
    expect(exhausted.errors[0]?.error).toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE, transient: false })
    expect(exhausted.errors[1]?.error).toMatchObject({ code: ErrorCode.SOURCE_UNAVAILABLE, transient: true })
    expect(exhausted.errors[2]?.error).toBe(last)
    expect(exhausted.cause).toBe(last)
    expect(exhausted.message).toContain(`env: ${ErrorCode.SOURCE_UNAVAILABLE}`)
    expect(exhausted.message).toContain('vault: Error')
  })

  it('is transient when any member failed transiently, terminal otherwise', async () => {
    const terminal = failing('a', Object.assign(new Error('x'), { error: 'invalid_client' }))
    const transient = failing('b', Object.assign(new Error('y'), { status: 503 }))
    await expect(chain([terminal, transient]).acquire(acquireContext())).rejects.toMatchObject({ transient: true })
    await expect(chain([terminal, env(UNSET)]).acquire(acquireContext())).rejects.toMatchObject({ transient: false })
  })

  it('makes a manager retry a transient exhaustion, and give up at once on a terminal one', async () => {
    const flaky = spySource('flaky', () => Promise.reject(Object.assign(new Error('busy'), { status: 503 })))
    await using retrying = new TokenManager({ source: chain([flaky]), prefetch: 'lazy', maxRetries: 2, retryDelay: () => 0 })
    const exhausted = await rejection(retrying.getToken())
    expect(exhausted).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, attempts: 3 })
    expect((exhausted as Error).cause).toMatchObject({ code: ErrorCode.CHAIN_EXHAUSTED })
    expect(flaky.calls()).toBe(3)

    const revoked = spySource('revoked', () => Promise.reject(Object.assign(new Error('no'), { transient: false })))
    await using terminal = new TokenManager({ source: chain([revoked]), prefetch: 'lazy', maxRetries: 2, retryDelay: () => 0 })
    const error = await rejection(terminal.getToken())
    expect(isTokenError(error) && error.code).toBe(ErrorCode.CHAIN_EXHAUSTED)
    expect(revoked.calls()).toBe(1)
  })

  it('stops at once, with the reason, when the signal aborts; later members are not asked', async () => {
    const controller = new AbortController()
    const stuck = spySource('stuck', () => new Promise<TokenGrant>(() => {}))
    const later = spySource('later', () => ({ accessToken: 'late' }))
    const pending = chain([stuck, later]).acquire(acquireContext({ signal: controller.signal }))
    await vi.waitFor(() => expect(stuck.calls()).toBe(1))
    const reason = new Error('closing')
    controller.abort(reason)
    await expect(pending).rejects.toBe(reason)
    expect(later.calls()).toBe(0)
  })

  it('stops without asking the next member when a member fails because of the abort', async () => {
    const controller = new AbortController()
    const reason = new Error('closing')
    const first = fromFunction(async () => {
      controller.abort(reason)
      throw new Error('interrupted')
    })
    const later = spySource('later', () => ({ accessToken: 'late' }))
    await expect(chain([first, later]).acquire(acquireContext({ signal: controller.signal }))).rejects.toBe(reason)
    expect(later.calls()).toBe(0)
  })

  it('ends a waiting manager call when the manager closes', async () => {
    const manager = new TokenManager({ source: chain([spySource('stuck', () => new Promise<TokenGrant>(() => {}))]), prefetch: 'lazy' })
    const pending = manager.getToken()
    await manager.close()
    await expect(pending).rejects.toMatchObject({ code: ErrorCode.CLOSED })
  })

  it('never shows a secret in its error', async () => {
    const name = 'TOKENWARDEN_TEST_CHAIN_BAD_JSON'
    process.env[name] = `{"access_token":"${SECRET}"`
    try {
      const error = await rejection(chain([env(name), env(UNSET)]).acquire(acquireContext()))
      expect(error).toMatchObject({ code: ErrorCode.CHAIN_EXHAUSTED })
      expectNotLogged(error, SECRET)
    } finally {
      delete process.env[name]
    }
  })

  it('refuses an empty list or a member that is not a source with coded TypeErrors', () => {
    expect(() => chain([])).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'sources' }))
    expect(() => chain([staticToken('a'), {} as TokenSource])).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'sources[1]' }),
    )
  })
})
