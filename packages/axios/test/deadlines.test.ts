import axios, { AxiosError } from 'axios'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'
import { countingSource } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, expectNotLogged, hangingSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import { acceptOnly } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

async function failure(request: Promise<unknown>): Promise<unknown> {
  return request.then(() => expect.fail('expected a rejection'), (error: unknown) => error)
}

describe('axios: the request timeout bounds the wait for a token', () => {
  it("rejects with axios's own timeout error (ECONNABORTED) when config.timeout passes while the token endpoint hangs", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const error = await failure(withAuth(axios.create(), m).get(api.url('/'), { timeout: 100 }))
    expect(error).toBeInstanceOf(AxiosError)
    expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 100ms exceeded' })
    expect(source.calls).toBe(1)
    expect(api.requests).toHaveLength(0)
  })

  it('honours the timeout of the instance, transitional.clarifyTimeoutError and timeoutErrorMessage', async () => {
    const api = await server()
    const { manager: m } = manager([api.origin], hangingSource())
    const http = withAuth(axios.create({ timeout: 50, transitional: { clarifyTimeoutError: true } }), m)
    const error = await failure(http.get(api.url('/'), { timeoutErrorMessage: 'took too long' }))
    expect(error).toMatchObject({ isAxiosError: true, code: 'ETIMEDOUT', message: 'took too long' })
  })

  it('bounds the wait for a new token after a 401 too; the error shows no token', async () => {
    const api = await server(acceptOnly(() => 'never'))
    const source = countingSource((call) =>
      call === 1 ? { accessToken: `${SECRET}-1`, expiresIn: 3600 } : new Promise(() => {}),
    )
    const { manager: m } = manager([api.origin], source)
    const error = await failure(withAuth(axios.create(), m).get(api.url('/'), { timeout: 1000 }))
    expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 1000ms exceeded' })
    expect(source.calls).toBe(2)
    expect(api.requests).toHaveLength(1)
    expectNotLogged(error)
  })
})
