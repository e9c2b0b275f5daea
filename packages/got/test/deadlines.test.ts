import { rejection } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import got, { AbortError, TimeoutError } from 'got'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'

describe('got: timeout.request bounds the wait for a token', () => {
  it("rejects with got's own TimeoutError (ETIMEDOUT, event request) while the token endpoint hangs", async () => {
    const f = await authFixture()
    f.source.hold()
    const error = await rejection(withAuth(got, f.manager)(f.server.url(), { timeout: { request: 100 }, retry: { limit: 0 } }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(error).toMatchObject({ code: 'ETIMEDOUT', event: 'request', message: "Timeout awaiting 'request' for 100ms" })
    expect(f.source.calls).toBe(1)
    expect(f.server.requests).toHaveLength(0)
  })

  it('retries it as got retries its own timeouts; every attempt joins the one acquisition', async () => {
    const f = await authFixture()
    f.source.hold()
    const retries: number[] = []
    const http = withAuth(got, f.manager).extend({ hooks: { beforeRetry: [(_error, count) => void retries.push(count)] } })
    const error = await rejection(http(f.server.url(), { timeout: { request: 50 }, retry: { limit: 2, backoffLimit: 1 } }))
    expect(error).toBeInstanceOf(TimeoutError)
    expect(retries).toEqual([1, 2])
    expect(f.source.calls).toBe(1)
  })

  it("ends the wait with got's AbortError when the signal aborts first", async () => {
    const f = await authFixture()
    f.source.hold()
    const controller = new AbortController()
    const request = withAuth(got, f.manager)(f.server.url(), { timeout: { request: 60_000 }, signal: controller.signal })
    setImmediate(() => controller.abort())
    expect(await rejection(request)).toBeInstanceOf(AbortError)
  })
})
