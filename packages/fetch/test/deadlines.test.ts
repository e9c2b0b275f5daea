import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'
import { countingSource } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, hangingSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import { acceptOnly } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

async function failure(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(() => expect.fail('expected a rejection'), (error: unknown) => error)
}

describe('fetch: the signal bounds the wait for a token', () => {
  it("rejects with AbortSignal.timeout's TimeoutError while the token endpoint hangs (init.signal)", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const error = await failure(withAuth(fetch, m)(api.url('/'), { signal: AbortSignal.timeout(100) }))
    expect(error).toBeInstanceOf(DOMException)
    expect(error).toMatchObject({ name: 'TimeoutError' })
    expect(source.calls).toBe(1)
    expect(api.requests).toHaveLength(0)
  })

  it("honours the signal of a Request input", async () => {
    const api = await server()
    const { manager: m, source } = manager([api.origin], hangingSource())
    const error = await failure(withAuth(fetch, m)(new Request(api.url('/'), { signal: AbortSignal.timeout(100) })))
    expect(error).toMatchObject({ name: 'TimeoutError' })
    expect(source.calls).toBe(1)
  })

  it('bounds the wait for a new token after a 401 too', async () => {
    const api = await server(acceptOnly(() => 'never'))
    const source = countingSource((call) =>
      call === 1 ? { accessToken: `${SECRET}-1`, expiresIn: 3600 } : new Promise(() => {}),
    )
    const { manager: m } = manager([api.origin], source)
    const error = await failure(withAuth(fetch, m)(api.url('/'), { signal: AbortSignal.timeout(1000) }))
    expect(error).toMatchObject({ name: 'TimeoutError' })
    expect(source.calls).toBe(2)
    expect(api.requests).toHaveLength(1)
  })
})
