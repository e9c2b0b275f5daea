import { ErrorCode, isTokenError } from '@tokenwarden/core'
import { Agent, type Dispatcher, interceptors, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { type TokenManager, authInterceptor } from '../src/index.ts'
import { countingSource } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, expectNotLogged, secretSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import { type Responder, acceptOnly } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

const alwaysRefuse: Responder = acceptOnly(() => 'never')
const dropConnection: Responder = (_request, response) => response.socket?.destroy()

function agent(m: TokenManager, ...outer: Dispatcher.DispatcherComposeInterceptor[]): Dispatcher {
  const dispatcher = new Agent().compose(authInterceptor(m), ...outer)
  onTestFinished(() => dispatcher.close())
  return dispatcher
}

async function failure(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(() => expect.fail('expected a rejection'), (error: unknown) => error)
}

describe('undici errors a user logs', () => {
  it('a second 401 turned into an error by the responseError interceptor shows no token', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m } = manager([api.origin], secretSource())
    const error = await failure(request(api.url('/'), { dispatcher: agent(m, interceptors.responseError()) }))
    expect(error).toMatchObject({ statusCode: 401 })
    expect(api.requests.map((r) => r.authorization)).toEqual([`Bearer ${SECRET}-1`, `Bearer ${SECRET}-2`])
    expectNotLogged(error)
  })

  it('a connection dropped after the token was sent fails with an error that shows no token', async () => {
    const api = await server(dropConnection)
    const { manager: m } = manager([api.origin], secretSource())
    const error = await failure(request(api.url('/'), { dispatcher: agent(m) }))
    expect(error).toMatchObject({ code: 'UND_ERR_SOCKET' })
    expect(api.requests[0]?.authorization).toBe(`Bearer ${SECRET}-1`)
    expectNotLogged(error)
  })

  it('a failed reacquisition after a 401 fails with a TokenError that shows no token', async () => {
    const api = await server(alwaysRefuse)
    const source = countingSource((call) => {
      if (call > 1) throw Object.assign(new Error('invalid_grant'), { status: 400, error: 'invalid_grant' })
      return { accessToken: `${SECRET}-${call}`, expiresIn: 3600 }
    })
    const { manager: m } = manager([api.origin], source)
    const error = await failure(request(api.url('/'), { dispatcher: agent(m) }))
    expect(isTokenError(error) && error.code).toBe(ErrorCode.ACQUISITION_FAILED)
    expectNotLogged(error)
  })
})
