import { expectNotLogged } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'

// A dropped connection and a failed reacquisition show no token in any adapter: see the conformance
// suite's errors. A 401 is no error for fetch: what a user may log is the Response.

describe('fetch errors a user logs', () => {
  it('a 401 is a response, not an error: it resolves, and the wrapper keeps nothing of ours on it', async () => {
    const f = await authFixture()
    const response = await withAuth(fetch, f.manager)(f.server.url('/always-401'))
    expect(response.status).toBe(401)
    expectNotLogged(response, 'token-1', 'token-2')
  })
})
