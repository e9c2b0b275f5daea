import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { SECRET, expectNotLogged, secretSource } from '../../../test/support/adapter-kit/logged-errors.ts'
import type { Responder } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager } = useAdapterFixtures()

const dropConnection: Responder = (_request, response) => response.socket?.destroy()

async function failure(pending: Promise<unknown>): Promise<unknown> {
  return pending.then(() => expect.fail('expected a rejection'), (error: unknown) => error)
}

describe('fetch errors a user logs', () => {
  it('a connection dropped after the token was sent fails with a TypeError that shows no token', async () => {
    const api = await server(dropConnection)
    const { manager: m } = manager([api.origin], secretSource())
    const error = await failure(withAuth(fetch, m)(api.url('/')))
    expect(error).toBeInstanceOf(TypeError)
    expect(api.requests[0]?.authorization).toBe(`Bearer ${SECRET}-1`)
    expectNotLogged(error)
  })

  it('a 401 is a response, not an error: it resolves, and the wrapper keeps nothing of ours on it', async () => {
    const api = await server((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' })
      response.end()
    })
    const { manager: m } = manager([api.origin], secretSource())
    const response = await withAuth(fetch, m)(api.url('/'))
    expect(response.status).toBe(401)
    expectNotLogged(response)
  })
})
