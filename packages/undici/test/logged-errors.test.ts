import { expectNotLogged, rejection } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import { Agent, interceptors, request } from 'undici'
import { describe, expect, it, onTestFinished } from 'vitest'
import { authInterceptor } from '../src/index.ts'

// A dropped connection and a failed reacquisition show no token in any adapter: see the conformance
// suite's errors. This is the error undici's own responseError interceptor builds from a 401.

describe('undici errors a user logs', () => {
  it('a second 401 turned into an error by the responseError interceptor shows no token', async () => {
    const f = await authFixture()
    const dispatcher = new Agent().compose(authInterceptor(f.manager), interceptors.responseError())
    onTestFinished(() => dispatcher.close())
    const error = await rejection(request(f.server.url('/always-401'), { dispatcher }))
    expect(error).toMatchObject({ statusCode: 401 })
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expectNotLogged(error, 'token-1', 'token-2')
  })
})
