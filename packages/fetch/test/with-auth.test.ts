import { Readable } from 'node:stream'
import { type Echo, authFixture } from '@tokenwarden/test-utils/http'
import { fetch as undiciFetch } from 'undici'
import { describe, expect, it } from 'vitest'
import { type FetchLike, withAuth } from '../src/index.ts'

// What every adapter does (attach, 401 and retry, bodies, redirects, errors) is in the conformance
// suite (test/conformance), run against the fetch wrapper too: these tests are about fetch itself.

async function echoOf(response: Response): Promise<Echo> {
  return (await response.json()) as Echo
}

/** Global fetch, recording the arguments of every call. */
function spyFetch(): typeof fetch & { calls: [unknown, RequestInit | undefined][] } {
  const calls: [unknown, RequestInit | undefined][] = []
  const spy = (input: string | URL | Request, init?: RequestInit) => {
    calls.push([input, init])
    return fetch(input, init)
  }
  return Object.assign(spy, { calls }) as typeof fetch & { calls: typeof calls }
}

describe('withAuth inputs', () => {
  it('accepts a string, a URL and a Request', async () => {
    const f = await authFixture()
    const authFetch = withAuth(fetch, f.name, { registry: f.registry })
    expect((await echoOf(await authFetch(f.server.url('/echo')))).token).toBe('token-1')
    expect((await echoOf(await authFetch(new URL(f.server.url('/echo'))))).token).toBe('token-1')
    const request = new Request(f.server.url('/echo'), { headers: { 'x-trace': 'abc' } })
    expect((await echoOf(await authFetch(request))).token).toBe('token-1')
  })

  it('keeps the types of the fetch it wraps', () => {
    const wrapped: typeof fetch = withAuth(fetch, 'typed', { origins: ['https://api.example.com'] })
    const wrappedUndici: typeof undiciFetch = withAuth(undiciFetch, 'typed', { origins: ['https://api.example.com'] })
    expect(typeof wrapped).toBe('function')
    expect(typeof wrappedUndici).toBe('function')
  })

  it("replaces a Request's headers with init.headers, as fetch does", async () => {
    const f = await authFixture({ server: { requireAuth: false } })
    const authFetch = withAuth(fetch, f.name, { registry: f.registry })
    const request = new Request(f.server.url('/echo'), { headers: { authorization: 'Basic own' } })
    expect((await echoOf(await authFetch(request))).authorizations).toEqual(['Basic own'])
    expect((await echoOf(await authFetch(request, { headers: { 'x-a': '1' } }))).authorizations).toEqual(['Bearer token-1'])
  })

  it("replays a Request's body only when buffered under maxReplayBytes", async () => {
    // Two quick rejections in a row: no cool-down here, it is not what this test is about.
    const f = await authFixture({ manager: { coolDown: 0 } })
    await f.manager.getToken()
    const post = (): Request => new Request(f.server.url('/upload'), { method: 'POST', body: 'request body' })
    f.server.revokeAll()
    expect((await withAuth(fetch, f.name, { registry: f.registry })(post())).status).toBe(401)
    const buffering = withAuth(fetch, f.name, { registry: f.registry, maxReplayBytes: 1024 })
    f.server.revokeAll()
    expect((await buffering(post())).status).toBe(200)
    expect(f.server.requests.filter((r) => r.path === '/upload').map((r) => [r.status, r.body])).toEqual([
      [401, 'request body'],
      [401, 'request body'],
      [200, 'request body'],
    ])
  })

  it('sends a stream larger than maxReplayBytes once, whole, into its 401, and returns that 401', async () => {
    const f = await authFixture()
    await f.manager.getToken()
    f.server.revokeAll()
    const chunks = ['a'.repeat(600), 'b'.repeat(600), 'c'.repeat(600)]
    const body = Readable.toWeb(Readable.from(chunks.map((c) => Buffer.from(c)))) as ReadableStream
    const authFetch = withAuth(fetch, f.name, { registry: f.registry, maxReplayBytes: 1024 })
    const response = await authFetch(f.server.url('/upload'), { method: 'POST', body, duplex: 'half' } as RequestInit)
    expect(response.status).toBe(401)
    expect(f.server.requests.map((r) => [r.path, r.status, r.token, r.body])).toEqual([['/upload', 401, 'token-1', chunks.join('')]])
  })

  it("lets init.body take the place of a Request's body", async () => {
    const f = await authFixture()
    const authFetch = withAuth(fetch, f.name, { registry: f.registry })
    const request = new Request(f.server.url('/upload'), { method: 'POST', body: 'old' })
    await authFetch(request, { body: 'new' })
    expect(f.server.requests[0]?.body).toBe('new')
  })

  it("ends a wait for a token when the Request's signal aborts", async () => {
    const f = await authFixture()
    const open = f.source.hold()
    const controller = new AbortController()
    const pending = withAuth(fetch, f.name, { registry: f.registry })(new Request(f.server.url('/echo'), { signal: controller.signal }))
    await f.source.called(1)
    controller.abort(new Error('gave up'))
    await expect(pending).rejects.toThrow('gave up')
    open()
  })

  it('reads headers in every shape fetch takes: a record, pairs, a Headers', async () => {
    const f = await authFixture({ server: { requireAuth: false } })
    const spy = spyFetch()
    const authFetch = withAuth(spy, f.name, { registry: f.registry })
    const shapes: HeadersInit[] = [
      { 'X-A': '1', 'content-type': 'text/plain' },
      [['x-a', '1'], ['Content-Type', 'text/plain']],
      new Headers({ 'x-a': '1', 'content-type': 'text/plain' }),
    ]
    for (const headers of shapes) {
      spy.calls.length = 0
      const echo = await echoOf(await authFetch(f.server.url('/echo'), { method: 'POST', body: 'x', headers }))
      expect(echo.authorizations).toEqual(['Bearer token-1'])
      expect(echo.contentType).toBe('text/plain')
      const sent = new Headers(spy.calls[0]?.[1]?.headers)
      expect([sent.get('x-a'), sent.get('authorization')]).toEqual(['1', 'Bearer token-1'])
    }
    for (const headers of [{ AuthoriZation: 'Basic own' }, [['authorization', 'Basic own']], new Headers({ authorization: 'Basic own' })]) {
      const echo = await echoOf(await authFetch(f.server.url('/echo'), { headers: headers as HeadersInit }))
      expect(echo.authorizations).toEqual(['Basic own'])
    }
    expect(f.source.calls).toBe(1)
  })

  it('passes a request for another origin to fetch untouched: the very same arguments', async () => {
    const f = await authFixture()
    const spy = spyFetch()
    const request = new Request(f.other.url('/echo'))
    const init = { headers: { 'x-a': '1' } }
    await withAuth(spy, f.name, { registry: f.registry })(request, init)
    expect(spy.calls).toEqual([[request, init]])
    expect(f.source.calls).toBe(0)
  })

  it('wraps undici.fetch too, 401 retry included', async () => {
    const f = await authFixture()
    const authFetch = withAuth(undiciFetch, f.name, { registry: f.registry })
    expect(((await (await authFetch(f.server.url('/echo'))).json()) as Echo).token).toBe('token-1')
    f.server.revokeAll()
    const response = await authFetch(f.server.url('/upload'), { method: 'POST', body: 'x' })
    expect(((await response.json()) as Echo).token).toBe('token-2')
  })

  it('refuses something that is not a fetch function', () => {
    expect(() => withAuth(undefined as unknown as FetchLike, 'x')).toThrow(TypeError)
  })
})

describe('withAuth and redirects', () => {
  it('follows redirects itself (redirect: manual below), checking the origin of every hop: A → B → A', async () => {
    const f = await authFixture()
    const spy = spyFetch()
    const back = encodeURIComponent(f.other.url(`/redirect?to=${encodeURIComponent(f.server.url('/echo'))}`))
    const response = await withAuth(spy, f.name, { registry: f.registry })(f.server.url(`/redirect?to=${back}`))
    expect((await echoOf(response)).token).toBe('token-1')
    expect(response.url).toBe(f.server.url('/echo'))
    expect(response.redirected).toBe(true)
    expect(f.other.requests.map((r) => r.authorizations)).toEqual([[]])
    expect(spy.calls.map(([, init]) => init?.redirect)).toEqual(['manual', 'manual', 'manual'])
  })

  it("returns the redirect itself with redirect: 'manual', and rejects with redirect: 'error'", async () => {
    const f = await authFixture()
    const authFetch = withAuth(fetch, f.name, { registry: f.registry })
    const url = f.server.url(`/redirect?to=${encodeURIComponent(f.other.url('/echo'))}`)
    const manual = await authFetch(url, { redirect: 'manual' })
    expect(manual.status).toBe(302)
    await expect(authFetch(url, { redirect: 'error' })).rejects.toThrow(TypeError)
    expect(f.other.requests).toHaveLength(0)
  })

  it('turns a POST into a GET without body after a 303, and resends the body after a 307', async () => {
    const f = await authFixture()
    const authFetch = withAuth(fetch, f.name, { registry: f.registry })
    const init = { method: 'POST', body: 'form body', headers: { 'content-type': 'text/plain' } }
    await authFetch(f.server.url('/redirect?status=303&to=/after-303'), init)
    await authFetch(f.server.url('/redirect?status=307&to=/after-307'), init)
    const hops = f.server.requests.filter((r) => r.path.startsWith('/after'))
    expect(hops.map((r) => [r.path, r.method, r.body, r.contentType, r.token])).toEqual([
      ['/after-303', 'GET', '', undefined, 'token-1'],
      ['/after-307', 'POST', 'form body', 'text/plain', 'token-1'],
    ])
  })

  it('rejects a 307 of a streamed body it could not buffer, as fetch does', async () => {
    const f = await authFixture()
    const body = Readable.toWeb(Readable.from([Buffer.from('streamed')])) as ReadableStream
    const pending = withAuth(fetch, f.name, { registry: f.registry })(f.server.url('/redirect?status=307&to=/echo'), {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit)
    await expect(pending).rejects.toThrow(/streamed body/)
    expect(f.server.requests.map((r) => [r.path, r.body])).toEqual([['/redirect?status=307&to=/echo', 'streamed']])
  })

  it('stops after 20 redirects', async () => {
    const f = await authFixture()
    let to = '/echo'
    for (let i = 0; i < 21; i++) to = `/redirect?to=${encodeURIComponent(to)}`
    await expect(withAuth(fetch, f.name, { registry: f.registry })(f.server.url(to))).rejects.toThrow(/redirect count/)
  })

  it('returns a 401 from an origin a redirect took the request to without the token, and gets no new token', async () => {
    const f = await authFixture()
    const response = await withAuth(fetch, f.name, { registry: f.registry })(
      f.server.url(`/redirect?to=${encodeURIComponent(f.other.url('/always-401'))}`),
    )
    expect(response.status).toBe(401)
    expect(f.other.requests.map((r) => [r.path, r.authorizations])).toEqual([['/always-401', []]])
    expect(f.source.calls).toBe(1)
  })

  it('answers a 401 after a redirect by retrying from the start with the new token', async () => {
    const f = await authFixture()
    await f.manager.getToken()
    f.server.revokeAll()
    const response = await withAuth(fetch, f.name, { registry: f.registry })(f.server.url('/redirect?to=/echo'))
    expect((await echoOf(response)).token).toBe('token-2')
    expect(f.server.requests.map((r) => [r.path, r.status, r.token])).toEqual([
      ['/redirect?to=/echo', 302, 'token-1'],
      ['/echo', 401, 'token-1'],
      ['/redirect?to=/echo', 302, 'token-2'],
      ['/echo', 200, 'token-2'],
    ])
  })
})
