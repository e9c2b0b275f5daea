import { ErrorCode, isTokenError } from '@tokenwarden/core'
import { isRedactedAuthorization } from '@tokenwarden/core/adapter'
import axios, { type AxiosError, type AxiosInstance, type CreateAxiosDefaults } from 'axios'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'
import { countingSource } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, expectNotLogged, logged, secretSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import { type Responder, acceptOnly } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

const alwaysRefuse: Responder = acceptOnly(() => 'never')
const dropConnection: Responder = (_request, response) => response.socket?.destroy()

function client(origins: readonly string[], defaults?: CreateAxiosDefaults): { http: AxiosInstance; source: ReturnType<typeof secretSource> } {
  const source = secretSource()
  const { manager: m } = manager(origins, source)
  return { http: withAuth(axios.create(defaults), m), source }
}

async function failure(request: Promise<unknown>): Promise<AxiosError> {
  return (await request.then(() => expect.fail('expected a rejection'), (error: unknown) => error)) as AxiosError
}

describe('axios errors a user logs', () => {
  it('a second 401 rejects with an AxiosError that shows no token, in config, request or response', async () => {
    const api = await server(alwaysRefuse)
    const { http } = client([api.origin])
    const error = await failure(http.get(api.url('/')))
    expect(error.response?.status).toBe(401)
    expect(api.requests.map((r) => r.authorization)).toEqual([`Bearer ${SECRET}-1`, `Bearer ${SECRET}-2`])
    expectNotLogged(error)
    expect(error.config?.headers.Authorization).toBe('Bearer [redacted by tokenwarden]')
    expect(isRedactedAuthorization(error.config?.headers.Authorization)).toBe(true)
  })

  it("the fetch adapter's AxiosError shows no token either", async () => {
    const api = await server(alwaysRefuse)
    const { http } = client([api.origin], { adapter: 'fetch' })
    const error = await failure(http.get(api.url('/')))
    expect(error.response?.status).toBe(401)
    expectNotLogged(error)
  })

  it('a connection dropped after the token was sent rejects with an AxiosError that shows no token', async () => {
    const api = await server(dropConnection)
    const { http } = client([api.origin])
    const error = await failure(http.get(api.url('/')))
    expect(error.code).toBe('ECONNRESET')
    expect(api.requests[0]?.authorization).toBe(`Bearer ${SECRET}-1`)
    expectNotLogged(error)
  })

  it('a failed reacquisition after a 401 rejects with a TokenError that shows no token', async () => {
    const api = await server(alwaysRefuse)
    const source = countingSource((call) => {
      if (call > 1) throw Object.assign(new Error('invalid_grant'), { status: 400, error: 'invalid_grant' })
      return { accessToken: `${SECRET}-${call}`, expiresIn: 3600 }
    })
    const { manager: m } = manager([api.origin], source)
    const error: unknown = await withAuth(axios.create(), m).get(api.url('/')).catch((e: unknown) => e)
    expect(isTokenError(error) && error.code).toBe(ErrorCode.ACQUISITION_FAILED)
    expect(api.requests[0]?.authorization).toBe(`Bearer ${SECRET}-1`)
    expectNotLogged(error)
  })

  it("leaves the caller's own Authorization as it is in the error", async () => {
    const api = await server(alwaysRefuse)
    const { http, source } = client([api.origin])
    const error = await failure(http.get(api.url('/'), { headers: { Authorization: 'Bearer callers-own' } }))
    expect(error.config?.headers.Authorization).toBe('Bearer callers-own')
    expect(logged(error)[0]).toContain('Bearer callers-own')
    expect(source.calls).toBe(0)
  })

  it("sends the credential's token when the config of a logged error is sent again (axios.request(error.config))", async () => {
    let accepted = 'none yet'
    const api = await server(acceptOnly(() => accepted))
    const { http, source } = client([api.origin])
    const error = await failure(http.get(api.url('/')))
    accepted = `${SECRET}-2`
    const response = await http.request(error.config!)
    expect(response.status).toBe(200)
    expect(api.requests.map((r) => r.authorization)).toEqual([
      `Bearer ${SECRET}-1`,
      `Bearer ${SECRET}-2`,
      `Bearer ${SECRET}-2`,
    ])
    expect(source.calls).toBe(2)
  })
})
