import { countingSource, rejection, useManagers } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import { Agent, type Dispatcher, errors, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type TokenManager, type UndiciAuthOptions, authInterceptor } from '../src/index.ts'

const newManager = useManagers()

function agent(m: TokenManager, options?: UndiciAuthOptions): Dispatcher {
  const dispatcher = new Agent().compose(authInterceptor(m, options))
  onTestFinished(() => dispatcher.close())
  return dispatcher
}

describe('undici: headersTimeout bounds the wait for a token', () => {
  it("rejects with undici's own HeadersTimeoutError when the request's headersTimeout passes while the token endpoint hangs", async () => {
    const f = await authFixture()
    f.source.hold()
    const error = await rejection(request(f.server.url(), { dispatcher: agent(f.manager), headersTimeout: 100 }))
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError)
    expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' })
    expect(f.source.calls).toBe(1)
    expect(f.server.requests).toHaveLength(0)
  })

  it("uses the interceptor's headersTimeout for a request that gives none (the Agent's own is out of its sight)", async () => {
    const f = await authFixture()
    f.source.hold()
    const error = await rejection(request(f.server.url(), { dispatcher: agent(f.manager, { headersTimeout: 100 }) }))
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError)
    expect(f.source.calls).toBe(1)
  })

  it("prefers the request's headersTimeout to the interceptor's, 0 meaning none", async () => {
    const f = await authFixture()
    f.source.hold()
    const controller = new AbortController()
    const pending = request(f.server.url(), { dispatcher: agent(f.manager, { headersTimeout: 50 }), headersTimeout: 0, signal: controller.signal })
    const outcome = await Promise.race([pending.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(r, 300, 'waiting'))])
    expect(outcome).toBe('waiting')
    controller.abort()
    await rejection(pending)
  })

  it('refuses a headersTimeout that is not a number of milliseconds, naming it', () => {
    const m = newManager({ source: countingSource(), origins: ['http://127.0.0.1:1'] })
    expect(() => authInterceptor(m, { headersTimeout: -1 })).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID_OPTION', option: 'headersTimeout' }))
  })
})
