import { inspect } from 'node:util'
import { expectNotLogged, rejection } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import got, { HTTPError } from 'got'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'

// A dropped connection and a failed reacquisition show no token in any adapter: see the conformance
// suite's errors. These are the errors got itself builds from its options and a response.

describe('got errors a user logs', () => {
  it('a second 401 with throwHttpErrors fails with an HTTPError that shows no token', async () => {
    const f = await authFixture()
    const error = await rejection<HTTPError>(withAuth(got, f.manager)(f.server.url('/always-401'), { retry: { limit: 0 } }))
    expect(error).toBeInstanceOf(HTTPError)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expectNotLogged(error, 'token-1', 'token-2')
    expect(error.options.headers.authorization).toBe('Bearer [redacted by tokenwarden]')
  })

  it("leaves the caller's own authorization as it is in the error", async () => {
    const f = await authFixture()
    const request = withAuth(got, f.manager)(f.server.url(), { headers: { authorization: 'Bearer callers-own' }, retry: { limit: 0 } })
    const error = await rejection<HTTPError>(request)
    expect(error.options.headers.authorization).toBe('Bearer callers-own')
    expect(inspect(error)).toContain('Bearer callers-own')
    expect(f.source.calls).toBe(0)
  })

  it("sends the credential's token for a redacted header (options of a logged error used again)", async () => {
    const f = await authFixture()
    const headers = { authorization: 'Bearer [redacted by tokenwarden]' }
    const response = await withAuth(got, f.manager)(f.server.url(), { headers })
    expect(response.statusCode).toBe(200)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1'])
  })
})
