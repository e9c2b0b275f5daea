import { Agent, type Dispatcher, errors, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type UndiciAuthOptions, type TokenManager, authInterceptor } from '../src/index.ts'
import { countingSource } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, expectNotLogged, hangingSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import { acceptOnly } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

function agent(m: TokenManager, options?: UndiciAuthOptions): Dispatcher {
  const dispatcher = new Agent().compose(authInterceptor(m, options))
  onTestFinished(() => dispatcher.close())
  return dispatcher
}

async function failure(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(() => expect.fail('expected a rejection'), (error: unknown) => error)
}

describe('undici: headersTimeout bounds the wait for a token', () => {
  it("rejects with undici's own HeadersTimeoutError when the request's headersTimeout passes while the token endpoint hangs", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const error = await failure(request(api.url('/'), { dispatcher: agent(m), headersTimeout: 100 }))
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError)
    expect(error).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' })
    expect(source.calls).toBe(1)
    expect(api.requests).toHaveLength(0)
  })

  it("uses the interceptor's headersTimeout for a request that gives none (the Agent's own is out of its sight)", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const error = await failure(request(api.url('/'), { dispatcher: agent(m, { headersTimeout: 100 }) }))
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError)
    expect(source.calls).toBe(1)
  })

  it("prefers the request's headersTimeout to the interceptor's, 0 meaning none", async () => {
    const api = await server()
    const { manager: m } = manager([api.origin], hangingSource())
    const controller = new AbortController()
    const pending = request(api.url('/'), { dispatcher: agent(m, { headersTimeout: 50 }), headersTimeout: 0, signal: controller.signal })
    const outcome = await Promise.race([pending.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(r, 300, 'waiting'))])
    expect(outcome).toBe('waiting')
    controller.abort()
    await failure(pending)
  })

  it('bounds the wait for a new token after a 401 too; the error shows no token', async () => {
    const api = await server(acceptOnly(() => 'never'))
    const source = countingSource((call) =>
      call === 1 ? { accessToken: `${SECRET}-1`, expiresIn: 3600 } : new Promise(() => {}),
    )
    const { manager: m } = manager([api.origin], source)
    const error = await failure(request(api.url('/'), { dispatcher: agent(m), headersTimeout: 1000 }))
    expect(error).toBeInstanceOf(errors.HeadersTimeoutError)
    expect(source.calls).toBe(2)
    expect(api.requests).toHaveLength(1)
    expectNotLogged(error)
  })

  it('refuses a headersTimeout that is not a number of milliseconds, naming it', () => {
    const { manager: m } = manager(['http://127.0.0.1:1'])
    expect(() => authInterceptor(m, { headersTimeout: -1 })).toThrow(expect.objectContaining({ code: 'TOKEN_INVALID_OPTION', option: 'headersTimeout' }))
  })
})
