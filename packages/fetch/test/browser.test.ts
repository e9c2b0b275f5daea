import { CredentialRegistry, ErrorCode, type TokenSource } from '@tokenwarden/core'
import { dpopBinding } from '@tokenwarden/core/adapter'
import { rejection } from '@tokenwarden/test-utils'
import { decodeJwt } from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type FetchResponse, browserDefaults, withAuth } from '../src/index.ts'

// A browser's fetch, as far as Node can play it: it hides redirects from `redirect: 'manual'`
// (an `opaqueredirect` response, status 0) and follows them itself with `redirect: 'follow'`.

const API = 'https://api.example.com'
type Call = { url: string; init: RequestInit & { duplex?: string } }

/** A fake fetch answering each call with `answer(call)`, recording every call. */
function fakeFetch(answer: (call: Call) => FetchResponse): typeof globalThis.fetch & { calls: Call[] } {
  const calls: Call[] = []
  const fetch = async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const call = { url: String(url), init: init ?? {} }
    calls.push(call)
    return answer(call) as Response
  }
  return Object.assign(fetch, { calls })
}

const opaqueRedirect = (): FetchResponse => ({ status: 0, type: 'opaqueredirect', url: '', headers: new Headers(), body: null })
/** A response the browser got after following redirects to `url`. */
function followedTo(url: string, status: number): FetchResponse {
  const response = new Response(null, { status })
  Object.defineProperties(response, { redirected: { value: true }, url: { value: url } })
  return response
}
const headerOf = (call: Call | undefined, name: string): string | null => new Headers(call?.init.headers).get(name)

/** A registry with one credential for `API`, whose source mints `token-1`, `token-2`… */
function bearerCredential(): { registry: CredentialRegistry; acquired: () => number } {
  let n = 0
  const registry = new CredentialRegistry()
  registry.register('api', { origins: [API], source: { kind: 'counting', acquire: async () => ({ accessToken: `token-${++n}`, expiresIn: 600 }) } })
  return { registry, acquired: () => n }
}

/** A registry whose credential's tokens are DPoP-bound to a generated key. */
function dpopCredential(): CredentialRegistry {
  const registry = new CredentialRegistry()
  const source: TokenSource = { kind: 'bound', acquire: async () => ({ accessToken: 'bound', tokenType: 'DPoP', expiresIn: 600 }), dpop: dpopBinding({}, async () => undefined) }
  registry.register('api', { origins: [API], source })
  return registry
}

afterEach(() => {
  vi.unstubAllGlobals()
})

describe('withAuth in a browser: redirects', () => {
  it('lets the browser follow redirects for a bearer token (it drops Authorization on another origin)', async () => {
    const { registry } = bearerCredential()
    const fetch = fakeFetch(() => new Response('ok'))
    const response = await withAuth(fetch, 'api', { registry, browser: true })(`${API}/items`)
    expect(response.status).toBe(200)
    expect(fetch.calls.map((call) => call.init.redirect)).toEqual(['follow'])
    expect(headerOf(fetch.calls[0], 'authorization')).toBe('Bearer token-1')
  })

  it('returns a 401 from a hop to another origin as it is: no new token, no resend', async () => {
    const { registry, acquired } = bearerCredential()
    const fetch = fakeFetch(() => followedTo('https://elsewhere.example.net/landing', 401))
    const response = await withAuth(fetch, 'api', { registry, browser: true })(`${API}/items`)
    expect(response.status).toBe(401)
    expect(fetch.calls).toHaveLength(1)
    expect(acquired()).toBe(1)
  })

  it('still answers a 401 from its own origin after a same-origin hop: a new token, one resend', async () => {
    const { registry, acquired } = bearerCredential()
    const fetch = fakeFetch((call) => (headerOf(call, 'authorization') === 'Bearer token-1' ? followedTo(`${API}/moved`, 401) : new Response('ok')))
    const response = await withAuth(fetch, 'api', { registry, browser: true })(`${API}/items`)
    expect(response.status).toBe(200)
    expect(fetch.calls.map((call) => headerOf(call, 'authorization'))).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(acquired()).toBe(2)
  })

  it('does not follow the redirect of a DPoP-bound request (its proof is for the first URL): TOKEN_REDIRECT_NOT_FOLLOWED', async () => {
    const registry = dpopCredential()
    const fetch = fakeFetch(() => opaqueRedirect())
    const error = await rejection(() => withAuth(fetch, 'api', { registry, browser: true })(`${API}/items`))
    expect(error).toMatchObject({ code: ErrorCode.REDIRECT_NOT_FOLLOWED, credential: 'api', transient: false })
    expect(fetch.calls.map((call) => call.init.redirect)).toEqual(['manual'])
    const proof = decodeJwt(headerOf(fetch.calls[0], 'dpop') as string)
    expect(proof.htu).toBe(`${API}/items`)
  })

  it('sends a DPoP-bound request that is not redirected as usual, with its proof', async () => {
    const registry = dpopCredential()
    const fetch = fakeFetch(() => new Response('ok'))
    expect((await withAuth(fetch, 'api', { registry, browser: true })(`${API}/items`, { method: 'POST', body: 'x' })).status).toBe(200)
    expect(headerOf(fetch.calls[0], 'authorization')).toBe('DPoP bound')
    expect(decodeJwt(headerOf(fetch.calls[0], 'dpop') as string)).toMatchObject({ htm: 'POST', htu: `${API}/items` })
  })

  it("learns from an unexpected opaqueredirect: a GET is sent again the browser's way, and later requests go that way at once", async () => {
    const { registry } = bearerCredential()
    const fetch = fakeFetch((call) => (call.init.redirect === 'manual' ? opaqueRedirect() : new Response('ok')))
    const authFetch = withAuth(fetch, 'api', { registry, browser: false })
    expect((await authFetch(`${API}/a`)).status).toBe(200)
    expect((await authFetch(`${API}/b`)).status).toBe(200)
    expect(fetch.calls.map((call) => [call.url, call.init.redirect])).toEqual([
      [`${API}/a`, 'manual'],
      [`${API}/a`, 'follow'],
      [`${API}/b`, 'follow'],
    ])
  })

  it('fails a POST that met an unexpected opaqueredirect rather than sending it twice', async () => {
    const { registry } = bearerCredential()
    const fetch = fakeFetch(() => opaqueRedirect())
    const error = await rejection(() => withAuth(fetch, 'api', { registry, browser: false })(`${API}/a`, { method: 'POST', body: 'once' }))
    expect(error).toMatchObject({ code: ErrorCode.REDIRECT_NOT_FOLLOWED })
    expect(fetch.calls).toHaveLength(1)
  })

  it("leaves redirect: 'manual' to fetch, as the caller asked", async () => {
    const { registry } = bearerCredential()
    const fetch = fakeFetch(() => opaqueRedirect())
    const response = await withAuth(fetch, 'api', { registry, browser: true })(`${API}/a`, { redirect: 'manual' })
    expect(response.type).toBe('opaqueredirect')
    expect(fetch.calls.map((call) => call.init.redirect)).toEqual(['manual'])
  })
})

describe('withAuth in a browser: streamed bodies', () => {
  const streamOf = (text: string): ReadableStream<Uint8Array> =>
    new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(text))
        controller.close()
      },
    })

  it('buffers a stream under maxReplayBytes (1 MiB by default in a browser) and sends bytes, replayable after a 401', async () => {
    expect(browserDefaults.maxReplayBytesInBrowser).toBe(1024 * 1024)
    const { registry } = bearerCredential()
    const bodies: unknown[] = []
    const fetch = fakeFetch((call) => {
      bodies.push(call.init.body)
      return new Response(null, { status: headerOf(call, 'authorization') === 'Bearer token-1' ? 401 : 200 })
    })
    const response = await withAuth(fetch, 'api', { registry, browser: true })(`${API}/upload`, { method: 'POST', body: streamOf('streamed'), duplex: 'half' } as RequestInit)
    expect(response.status).toBe(200)
    expect(bodies.map((body) => new TextDecoder().decode(body as Uint8Array))).toEqual(['streamed', 'streamed'])
  })

  it('refuses a stream over maxReplayBytes before sending it, with TOKEN_STREAM_BODY_UNSUPPORTED', async () => {
    const { registry } = bearerCredential()
    const fetch = fakeFetch(() => new Response('ok'))
    const error = await rejection(() =>
      withAuth(fetch, 'api', { registry, browser: true, maxReplayBytes: 4 })(`${API}/upload`, { method: 'POST', body: streamOf('longer than four'), duplex: 'half' } as RequestInit),
    )
    expect(error).toMatchObject({ code: ErrorCode.STREAM_BODY_UNSUPPORTED, credential: 'api', transient: false })
    expect(fetch.calls).toHaveLength(0)
  })

  it('reads a ReadableStream that is not async-iterable (Safari)', async () => {
    const { registry } = bearerCredential()
    const stream = streamOf('safari')
    Object.defineProperty(stream, Symbol.asyncIterator, { value: undefined })
    const fetch = fakeFetch(() => new Response('ok'))
    await withAuth(fetch, 'api', { registry, browser: true })(`${API}/upload`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    expect(new TextDecoder().decode(fetch.calls[0]?.init.body as Uint8Array)).toBe('safari')
  })
})

describe('withAuth: knowing a browser', () => {
  it('takes a page (document) or a Web Worker (importScripts) for a browser, and Node for none', async () => {
    const { registry } = bearerCredential()
    const redirectOf = async (): Promise<unknown> => {
      const fetch = fakeFetch(() => new Response('ok'))
      await withAuth(fetch, 'api', { registry })(`${API}/a`)
      return fetch.calls[0]?.init.redirect
    }
    expect(await redirectOf()).toBe('manual')
    vi.stubGlobal('document', {})
    expect(await redirectOf()).toBe('follow')
    vi.unstubAllGlobals()
    vi.stubGlobal('importScripts', () => {})
    expect(await redirectOf()).toBe('follow')
  })

  it('refuses a browser option that is not a boolean', () => {
    expect(() => withAuth(fetch, 'api', { browser: 'yes' as never, origins: [API] })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_OPTION, option: 'browser' }))
  })
})

