import { ErrorCode, isTokenError } from '@tokenwarden/core'
import got, { HTTPError, RequestError } from 'got'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'
import { countingSource } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, expectNotLogged, logged, secretSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import { type Responder, acceptOnly } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

const alwaysRefuse: Responder = acceptOnly(() => 'never')
const dropConnection: Responder = (_request, response) => response.socket?.destroy()

async function failure(request: Promise<unknown>): Promise<unknown> {
  return request.then(() => expect.fail('expected a rejection'), (error: unknown) => error)
}

describe('got errors a user logs', () => {
  it('a second 401 with throwHttpErrors fails with an HTTPError that shows no token', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m } = manager([api.origin], secretSource())
    const error = await failure(withAuth(got, m)(api.url('/'), { retry: { limit: 0 } }))
    expect(error).toBeInstanceOf(HTTPError)
    expect(api.requests.map((r) => r.authorization)).toEqual([`Bearer ${SECRET}-1`, `Bearer ${SECRET}-2`])
    expectNotLogged(error)
    expect((error as HTTPError).options.headers.authorization).toBe('Bearer [redacted by tokenwarden]')
  })

  it('a connection dropped after the token was sent fails with a RequestError that shows no token', async () => {
    const api = await server(dropConnection)
    const { manager: m } = manager([api.origin], secretSource())
    const error = await failure(withAuth(got, m)(api.url('/'), { retry: { limit: 0 } }))
    expect(error).toBeInstanceOf(RequestError)
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
    const error = await failure(withAuth(got, m)(api.url('/'), { retry: { limit: 0 } }))
    expect(isTokenError(error) && error.code).toBe(ErrorCode.ACQUISITION_FAILED)
    expectNotLogged(error)
  })

  it("leaves the caller's own authorization as it is in the error", async () => {
    const api = await server(alwaysRefuse)
    const { manager: m, source } = manager([api.origin], secretSource())
    const request = withAuth(got, m)(api.url('/'), { headers: { authorization: 'Bearer callers-own' }, retry: { limit: 0 } })
    const error = await failure(request)
    expect((error as HTTPError).options.headers.authorization).toBe('Bearer callers-own')
    expect(logged(error)[0]).toContain('Bearer callers-own')
    expect(source.calls).toBe(0)
  })

  it("sends the credential's token for a redacted header (options of a logged error used again)", async () => {
    const api = await server()
    const { manager: m } = manager([api.origin], secretSource())
    const headers = { authorization: 'Bearer [redacted by tokenwarden]' }
    const response = await withAuth(got, m)(api.url('/'), { headers })
    expect(response.statusCode).toBe(200)
    expect(api.requests.map((r) => r.authorization)).toEqual([`Bearer ${SECRET}-1`])
  })
})
