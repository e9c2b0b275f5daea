import got, { AbortError, TimeoutError } from 'got'
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

describe('got: timeout.request bounds the wait for a token', () => {
  it("rejects with got's own TimeoutError (ETIMEDOUT, event request) while the token endpoint hangs", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const error = await failure(withAuth(got, m)(api.url('/'), { timeout: { request: 100 }, retry: { limit: 0 } }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ code: 'ETIMEDOUT', event: 'request', message: "Timeout awaiting 'request' for 100ms" })
    expect(source.calls).toBe(1)
    expect(api.requests).toHaveLength(0)
  })

  it("retries it as got retries its own timeouts; every attempt joins the one acquisition", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const retries: number[] = []
    const http = withAuth(got, m).extend({ hooks: { beforeRetry: [(_error, count) => void retries.push(count)] } })
    const error = await failure(http(api.url('/'), { timeout: { request: 50 }, retry: { limit: 2, backoffLimit: 1 } }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(retries).toEqual([1, 2])
    expect(source.calls).toBe(1)
  })

  it('bounds the wait for a new token after a 401 too; the error shows no token', async () => {
    const api = await server(acceptOnly(() => 'never'))
    const source = countingSource((call) =>
      call === 1 ? { accessToken: `${SECRET}-1`, expiresIn: 3600 } : new Promise(() => {}),
    )
    const { manager: m } = manager([api.origin], source)
    const error = await failure(withAuth(got, m)(api.url('/'), { timeout: { request: 1000 }, retry: { limit: 0 } }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(source.calls).toBe(2)
    expect(api.requests).toHaveLength(1)
    expectNotLogged(error)
  })

  it("ends the wait with got's AbortError when the signal aborts first", async () => {
    const api = await server()
    const { manager: m } = manager([api.origin], hangingSource())
    const controller = new AbortController()
    const request = withAuth(got, m)(api.url('/'), { timeout: { request: 60_000 }, signal: controller.signal })
    setImmediate(() => controller.abort())
    expect(await failure(request)).toBeInstanceOf(AbortError)
  })
})
