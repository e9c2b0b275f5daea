import { inspect } from 'node:util'
import { isRedactedAuthorization } from '@tokenwarden/core/adapter'
import { expectNotLogged, rejection } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import axios, { type AxiosError } from 'axios'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'

// A dropped connection and a failed reacquisition show no token in any adapter: see the conformance
// suite's errors. These are the errors axios itself builds from a config and a response.

describe('axios errors a user logs', () => {
  it('a second 401 rejects with an AxiosError that shows no token, in config, request or response', async () => {
    const f = await authFixture()
    const error = await rejection<AxiosError>(withAuth(axios.create(), f.manager).get(f.server.url('/always-401')))
    expect(error.response?.status).toBe(401)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expectNotLogged(error, 'token-1', 'token-2')
    expect(error.config?.headers.Authorization).toBe('Bearer [redacted by tokenwarden]')
    expect(isRedactedAuthorization(error.config?.headers.Authorization)).toBe(true)
  })

  it("the fetch adapter's AxiosError shows no token either", async () => {
    const f = await authFixture()
    const error = await rejection<AxiosError>(withAuth(axios.create({ adapter: 'fetch' }), f.manager).get(f.server.url('/always-401')))
    expect(error.response?.status).toBe(401)
    expectNotLogged(error, 'token-1', 'token-2')
  })

  it("leaves the caller's own Authorization as it is in the error", async () => {
    const f = await authFixture()
    const request = withAuth(axios.create(), f.manager).get(f.server.url(), { headers: { Authorization: 'Bearer callers-own' } })
    const error = await rejection<AxiosError>(request)
    expect(error.config?.headers.Authorization).toBe('Bearer callers-own')
    expect(inspect(error)).toContain('Bearer callers-own')
    expect(f.source.calls).toBe(0)
  })

  it("sends the credential's token when the config of a logged error is sent again (axios.request(error.config))", async () => {
    let accepted = 'none yet'
    const f = await authFixture({ server: { validate: (token) => token === accepted } })
    const http = withAuth(axios.create(), f.manager)
    const error = await rejection<AxiosError>(http.get(f.server.url()))
    accepted = 'token-2'
    const response = await http.request(error.config!)
    expect(response.status).toBe(200)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-2'])
    expect(f.source.calls).toBe(2)
  })
})
