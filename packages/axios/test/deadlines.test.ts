import { rejection } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import axios, { AxiosError } from 'axios'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'

describe('axios: the request timeout bounds the wait for a token', () => {
  it("rejects with axios's own timeout error (ECONNABORTED) when config.timeout passes while the token endpoint hangs", async () => {
    const f = await authFixture()
    f.source.hold()
    const error = await rejection(withAuth(axios.create(), f.manager).get(f.server.url(), { timeout: 100 }))
    expect(error).toBeInstanceOf(AxiosError)
    expect(error).toMatchObject({ code: 'ECONNABORTED', message: 'timeout of 100ms exceeded' })
    expect(f.source.calls).toBe(1)
    expect(f.server.requests).toHaveLength(0)
  })

  it('honours the timeout of the instance, transitional.clarifyTimeoutError and timeoutErrorMessage', async () => {
    const f = await authFixture()
    f.source.hold()
    const http = withAuth(axios.create({ timeout: 50, transitional: { clarifyTimeoutError: true } }), f.manager)
    const error = await rejection(http.get(f.server.url(), { timeoutErrorMessage: 'took too long' }))
    expect(error).toMatchObject({ isAxiosError: true, code: 'ETIMEDOUT', message: 'took too long' })
  })
})
