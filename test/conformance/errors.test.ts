import { expectNotLogged, rejection } from '@tokenwarden/test-utils'
import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import { harness, tokenErrorIn } from './harness.ts'

const SECRET = 'hunter2-client-secret'

describe.each(drivers)('$name: errors and aborts', (driver) => {
  it('ends a request waiting for a token when its AbortSignal aborts', async () => {
    const h = await harness(driver)
    const open = h.source.hold()
    const controller = new AbortController()
    const pending = h.client.request({ url: h.server.url('/echo'), signal: controller.signal })
    await h.source.called(1)
    controller.abort()
    const error = await rejection(pending)
    expect(error).toBeInstanceOf(Error)
    open()
    expect(await h.manager.getToken()).toMatchObject({ generation: 1 })
    expect(h.server.requests).toHaveLength(0)
  })

  it("ends a request waiting for a token when the client's own timeout passes; the acquisition goes on", async () => {
    const h = await harness(driver)
    const open = h.source.hold()
    const error = await rejection(h.client.request({ url: h.server.url('/echo'), timeoutMs: 100 }))
    expect(error).toBeInstanceOf(Error)
    expect(tokenErrorIn(error)).toBeUndefined()
    open()
    expect(await h.manager.getToken()).toMatchObject({ generation: 1 })
    expect(h.source.calls).toBe(1)
    expect(h.server.requests).toHaveLength(0)
  })

  it("ends a request waiting for a new token after a 401 when the client's own timeout passes; the error shows no token", async () => {
    const h = await harness(driver)
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    const open = h.source.hold()
    const error = await rejection(h.client.request({ url: h.server.url('/echo'), timeoutMs: 1000 }))
    expect(error).toBeInstanceOf(Error)
    expect(tokenErrorIn(error)).toBeUndefined()
    expect(h.source.calls).toBe(2)
    expect(h.server.requests.map((r) => [r.status, r.token])).toEqual([
      [200, 'token-1'],
      [401, 'token-1'],
    ])
    expectNotLogged(error, 'token-1')
    open()
  })

  it('fails with an error that shows no token when the connection drops after the token was sent', async () => {
    const h = await harness(driver)
    const error = await rejection(h.client.request({ url: h.server.url('/drop') }))
    expect(h.server.requests.map((r) => [r.path, r.authorization])).toEqual([['/drop', 'Bearer token-1']])
    expectNotLogged(error, 'token-1')
  })

  it('rejects with the acquisition error: its code, its cause, and no secret', async () => {
    const h = await harness(driver)
    const cause = Object.assign(new Error(`invalid_client: client_secret=${SECRET} was refused`), {
      status: 401,
      error: 'invalid_client',
    })
    h.source.failWith(cause)
    const error = await rejection(h.client.request({ url: h.server.url('/echo') }))
    const tokenError = tokenErrorIn(error)
    expect(tokenError?.code).toBe('TOKEN_ACQUISITION_FAILED')
    expect(tokenError?.cause).toBe(cause)
    expect(tokenError?.message).not.toContain(SECRET)
    expect((error as Error).message).not.toContain(SECRET)
    expect(JSON.stringify(tokenError)).not.toContain(SECRET)
    expect(h.server.requests).toHaveLength(0)
  })

  it('rejects with the reacquisition error, which shows no token, when the token is refused and a new one cannot be had', async () => {
    const h = await harness(driver)
    await h.client.request({ url: h.server.url('/echo') })
    h.server.revokeAll()
    h.source.failWith(Object.assign(new Error('invalid_grant'), { status: 400, error: 'invalid_grant' }))
    const error = await rejection(h.client.request({ url: h.server.url('/echo') }))
    expect(tokenErrorIn(error)?.code).toBe('TOKEN_ACQUISITION_FAILED')
    expectNotLogged(error, 'token-1')
  })
})
