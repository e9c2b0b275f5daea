import { rejection } from '@tokenwarden/test-utils'
import { authFixture } from '@tokenwarden/test-utils/http'
import { describe, expect, it } from 'vitest'
import { withAuth } from '../src/index.ts'

describe('fetch: the signal bounds the wait for a token', () => {
  it("rejects with AbortSignal.timeout's TimeoutError while the token endpoint hangs (init.signal)", async () => {
    const f = await authFixture()
    f.source.hold()
    const error = await rejection(withAuth(fetch, f.manager)(f.server.url(), { signal: AbortSignal.timeout(100) }))
    expect(error).toBeInstanceOf(DOMException)
    expect(error).toMatchObject({ name: 'TimeoutError' })
    expect(f.source.calls).toBe(1)
    expect(f.server.requests).toHaveLength(0)
  })

  it('honours the signal of a Request input', async () => {
    const f = await authFixture()
    f.source.hold()
    const error = await rejection(withAuth(fetch, f.manager)(new Request(f.server.url(), { signal: AbortSignal.timeout(100) })))
    expect(error).toMatchObject({ name: 'TimeoutError' })
    expect(f.source.calls).toBe(1)
  })
})
