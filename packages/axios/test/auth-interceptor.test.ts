import { Readable } from 'node:stream'
import { ErrorCode, TokenManager, isTokenError } from '@tokenwarden/core'
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios'
import LegacyFormData from 'form-data'
import { describe, expect, it } from 'vitest'
import { authInterceptor, withAuth } from '../src/index.ts'
import { countingSource, frozenClock } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { type Responder, acceptOnly, echo, redirectTo, withoutBoundary } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager, registry } = useAdapterFixtures()

function client(credential: string | TokenManager, options?: Parameters<typeof authInterceptor>[1]): AxiosInstance {
  const instance = axios.create({ validateStatus: () => true })
  instance.interceptors.request.use(authInterceptor(credential, options))
  return instance
}

/** A 401 for the first token only: every request with `t-1` is refused. */
const refuseFirstToken: Responder = acceptOnly(() => 't-2')
const alwaysRefuse: Responder = acceptOnly(() => 'never')

describe('axios authInterceptor: attaching', () => {
  it('attaches the token to a request for the credential origin', async () => {
    const api = await server()
    const names = registry()
    const source = countingSource()
    names.register('api', { source, origins: [api.origin], prefetch: 'lazy', clock: frozenClock() })
    const response = await client('api', { registry: names }).get(api.url('/a'))
    expect(response.status).toBe(200)
    expect(api.requests[0]?.authorization).toBe('Bearer t-1')
    expect(source.calls).toBe(1)
  })

  it('leaves a caller-set Authorization alone, in any case, and fetches no token', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m, source } = manager([api.origin])
    const http = client(m)
    const upper = await http.get(api.url('/'), { headers: { Authorization: 'Bearer mine' } })
    const lower = await http.get(api.url('/'), { headers: { authorization: 'Bearer mine' } })
    const basic = await http.get(api.url('/'), { auth: { username: 'u', password: 'p' } })
    const none = await http.get(api.url('/'), { headers: { Authorization: false } })
    expect([upper.status, lower.status, basic.status, none.status]).toEqual([401, 401, 401, 401])
    expect(api.requests.map((r) => r.authorization)).toEqual([
      'Bearer mine',
      'Bearer mine',
      `Basic ${Buffer.from('u:p').toString('base64')}`,
      undefined,
    ])
    expect(source.calls).toBe(0)
  })

  it('sends a request to another origin untouched and fetches no token', async () => {
    const api = await server()
    const other = await server()
    const { manager: m, source } = manager([api.origin])
    const response = await client(m).get(other.url('/'))
    expect(response.status).toBe(200)
    expect(other.requests[0]?.authorization).toBeUndefined()
    expect(source.calls).toBe(0)
  })

  it('strips one of our tokens from a request to another origin', async () => {
    const other = await server()
    const { manager: m } = manager(['http://127.0.0.1:1'])
    const token = await m.getToken()
    await client(m).get(other.url('/'), { headers: { AUTHORIZATION: token.authorization } })
    expect(other.requests[0]?.authorization).toBeUndefined()
  })

  it('computes the origin from baseURL and url the way axios does', async () => {
    const api = await server()
    const other = await server()
    const { manager: m } = manager([api.origin])
    const http = axios.create({ baseURL: `${api.origin}/v1/`, validateStatus: () => true })
    http.interceptors.request.use(authInterceptor(m))
    await http.get('items', { params: { q: 'x' } })
    await http.get(other.url('/absolute'))
    await http.get(other.url('/joined'), { allowAbsoluteUrls: false })
    expect(api.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/v1/items?q=x', 'Bearer t-1'],
      [`/v1/${other.url('/joined')}`, 'Bearer t-1'],
    ])
    expect(other.requests.map((r) => r.authorization)).toEqual([undefined])
  })

  it('refuses a credential with no origins at creation, with a coded error', () => {
    const names = registry()
    names.register('bare', { source: countingSource(), prefetch: 'lazy' })
    expect(() => authInterceptor('bare', { registry: names })).toThrow(expect.objectContaining({ code: ErrorCode.NO_ORIGINS }))
  })

  it('refuses at the first request a credential registered later with no origins', async () => {
    const api = await server()
    const names = registry()
    const http = client('late', { registry: names })
    const source = countingSource()
    names.register('late', { source, prefetch: 'lazy' })
    await expect(http.get(api.url('/'))).rejects.toMatchObject({ code: ErrorCode.NO_ORIGINS })
    expect(api.requests).toHaveLength(0)
    expect(source.calls).toBe(0)
  })

  it('uses origins given to the adapter in place of the credential ones', async () => {
    const api = await server()
    const names = registry()
    names.register('bare', { source: countingSource(), prefetch: 'lazy', clock: frozenClock() })
    await client('bare', { registry: names, origins: [api.origin] }).get(api.url('/'))
    expect(api.requests[0]?.authorization).toBe('Bearer t-1')
  })
})

describe('axios authInterceptor: 401', () => {
  it('reacquires once and resends once with the new token', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m, source } = manager([api.origin])
    const response = await client(m).get(api.url('/'))
    expect(response.status).toBe(200)
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2'])
    expect(source.calls).toBe(2)
  })

  it('returns a second 401 as it is, resolved or rejected per validateStatus', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m, source } = manager([api.origin])
    const resolved = await client(m).get(api.url('/'))
    expect(resolved.status).toBe(401)
    expect(resolved.data).toBe('denied')
    const strict = axios.create()
    strict.interceptors.request.use(authInterceptor(m))
    await expect(strict.get(api.url('/'))).rejects.toMatchObject({ isAxiosError: true, response: { status: 401 } })
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2', 'Bearer t-2', 'Bearer t-3'])
    expect(source.calls).toBe(3)
  })

  it('retries after a 401 that validateStatus rejected, and resolves with the retry', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const strict = axios.create()
    strict.interceptors.request.use(authInterceptor(m))
    const response = await strict.get(api.url('/'))
    expect(response.status).toBe(200)
  })

  it('retries a 401 whose first body is a stream (responseType: stream), letting that body go', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const response = await client(m).get<Readable>(api.url('/'), { responseType: 'stream' })
    const chunks: Buffer[] = []
    for await (const chunk of response.data) chunks.push(chunk as Buffer)
    expect(response.status).toBe(200)
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ authorization: 'Bearer t-2' })
  })

  it('does not retry a 401 whose challenges are all for another scheme', async () => {
    const api = await server((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="other"' })
      response.end()
    })
    const { manager: m, source } = manager([api.origin])
    const response = await client(m).get(api.url('/'))
    expect(response.status).toBe(401)
    expect(api.requests).toHaveLength(1)
    expect(source.calls).toBe(1)
  })

  it('refreshes once for 100 concurrent 401s', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m, source } = manager([api.origin])
    const http = client(m)
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => http.get(api.url(`/${i}`))))
    expect(responses.every((r) => r.status === 200)).toBe(true)
    expect(source.calls).toBe(2)
    expect(api.requests).toHaveLength(200)
  })

  it('does not wrap twice a config sent again (response.config)', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m } = manager([api.origin])
    const http = client(m)
    const first = await http.get(api.url('/'))
    await http.request(first.config)
    expect(api.requests).toHaveLength(4)
  })

  it.each([
    ['JSON', { a: 1, b: ['x', 'y'] }],
    ['string', 'plain text body'],
    ['Buffer', Buffer.from([0, 1, 2, 250, 251, 252])],
    ['URLSearchParams', new URLSearchParams([['a', '1'], ['a', '2'], ['b', 'é']])],
  ])('replays a %s body byte for byte', async (_kind, body) => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const response = await client(m).post(api.url('/'), body)
    expect(response.status).toBe(200)
    expect(api.requests).toHaveLength(2)
    expect(api.requests[0]?.body.length).toBeGreaterThan(0)
    expect(api.requests[1]?.hash).toBe(api.requests[0]?.hash)
  })

  it('replays a FormData body part for part (axios picks a new boundary for each send)', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const form = new FormData()
    form.append('field', 'value')
    form.append('file', new Blob(['file content']), 'a.txt')
    const response = await client(m).post(api.url('/'), form)
    expect(response.status).toBe(200)
    const [first, second] = api.requests.map(withoutBoundary)
    expect(first).toContain('file content')
    expect(second).toBe(first)
  })

  it('passes a stream body 401 through and never resends it empty', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const response = await client(m).post(api.url('/'), Readable.from(['chunk-1 ', 'chunk-2']))
    expect(response.status).toBe(401)
    expect(api.requests).toHaveLength(1)
    expect(api.requests[0]?.body.toString()).toBe('chunk-1 chunk-2')
  })

  it('passes through the 401 of a form-data package body (a one-shot stream tagged FormData)', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const form = new LegacyFormData()
    form.append('field', 'value')
    const response = await client(m).post(api.url('/'), form)
    expect(response.status).toBe(401)
    expect(api.requests).toHaveLength(1)
    expect(api.requests[0]?.body.toString()).toContain('value')
  })

  it('buffers a stream under maxReplayBytes and replays it; a larger one goes once, whole', async () => {
    const api = await server((request, response) =>
      request.path === '/large' ? alwaysRefuse(request, response) : refuseFirstToken(request, response),
    )
    const { manager: m } = manager([api.origin])
    const http = client(m, { maxReplayBytes: 16 })
    const small = await http.post(api.url('/small'), Readable.from(['chunk-1 ', 'chunk-2']))
    expect(small.status).toBe(200)
    expect(api.requests.map((r) => r.body.toString())).toEqual(['chunk-1 chunk-2', 'chunk-1 chunk-2'])
    const large = await http.post(api.url('/large'), Readable.from(['0123456789', '0123456789', 'end']))
    expect(large.status).toBe(401)
    expect(large.data).toBe('denied')
    expect(api.requests.slice(2).map((r) => [r.path, r.authorization, r.body.toString()])).toEqual([
      ['/large', 'Bearer t-2', '01234567890123456789end'],
    ])
  })
})

describe('axios authInterceptor: redirects', () => {
  it('never sends the token across a redirect to another origin (another port)', async () => {
    const other = await server()
    const api = await server(redirectTo(other.url('/landing')))
    const { manager: m } = manager([api.origin])
    const response = await client(m).get(api.url('/go'))
    expect(response.status).toBe(200)
    expect(api.requests[0]?.authorization).toBe('Bearer t-1')
    expect(other.requests[0]?.authorization).toBeUndefined()
  })

  it('keeps the token on a same-origin redirect', async () => {
    const api = await server((request, response) =>
      request.path === '/go' ? redirectTo('/landing')(request, response) : echo(request, response),
    )
    const { manager: m } = manager([api.origin])
    await client(m).get(api.url('/go'))
    expect(api.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/go', 'Bearer t-1'],
      ['/landing', 'Bearer t-1'],
    ])
  })

  it('checks each redirect hop itself and then calls the caller beforeRedirect', async () => {
    const { manager: m } = manager(['http://127.0.0.1:1'])
    const token = await m.getToken()
    let seen: InternalAxiosRequestConfig | undefined
    const http = axios.create({
      adapter: async (config) => {
        seen = config
        return { status: 200, statusText: 'OK', headers: {}, config, data: '' }
      },
    })
    http.interceptors.request.use(authInterceptor(m))
    const hops: string[] = []
    await http.get('http://127.0.0.1:1/', { beforeRedirect: (options) => hops.push(String(options.href)) })
    const hook = seen?.beforeRedirect
    const details = [{ headers: {}, statusCode: 302 }, { headers: {}, url: 'http://127.0.0.1:1/', method: 'GET' }] as const
    const away = { href: 'http://sub.127.0.0.1:1/', headers: { Authorization: token.authorization, authorization: token.authorization } }
    const home = { href: 'http://127.0.0.1:1/next', headers: { Authorization: token.authorization } }
    const mine = { href: 'http://elsewhere.localhost/', headers: { Authorization: 'Bearer mine' } }
    for (const options of [away, home, mine]) hook?.(options, ...details)
    expect(away.headers).toEqual({})
    expect(home.headers).toEqual({ Authorization: token.authorization })
    expect(mine.headers).toEqual({ Authorization: 'Bearer mine' })
    expect(hops).toEqual([away.href, home.href, mine.href])
  })

  it('guards a config sent again once, with the token of its latest send', async () => {
    const { manager: m } = manager(['http://127.0.0.1:1'])
    const seen: InternalAxiosRequestConfig[] = []
    const http = axios.create({
      adapter: async (config) => {
        seen.push(config)
        return { status: 200, statusText: 'OK', headers: {}, config, data: '' }
      },
    })
    http.interceptors.request.use(authInterceptor(m))
    const hops: string[] = []
    const first = await http.get('http://127.0.0.1:1/', { beforeRedirect: (options) => hops.push(String(options.href)) })
    const renewed = await m.refresh()
    await http.request(first.config)
    expect(seen.map((config) => config.headers.Authorization)).toEqual(['Bearer t-1', renewed.authorization])
    const hop = { href: 'http://127.0.0.1:1/next', headers: { Authorization: 'Bearer t-1' } }
    seen[1]?.beforeRedirect?.(hop, { headers: {}, statusCode: 302 }, { headers: {}, url: 'http://127.0.0.1:1/', method: 'GET' })
    expect(hop.headers).toEqual({ Authorization: renewed.authorization })
    expect(hops).toEqual([hop.href])
  })
})

describe('axios authInterceptor: waiting and failing', () => {
  it('ends a wait for a token when the request signal aborts', async () => {
    const api = await server()
    let started: () => void = () => {}
    const acquiring = new Promise<void>((resolve) => (started = resolve))
    const source = countingSource((_call, signal) => {
      started()
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)))
    })
    const { manager: m } = manager([api.origin], source)
    const controller = new AbortController()
    const request = client(m).get(api.url('/'), { signal: controller.signal })
    await acquiring
    controller.abort()
    const error: unknown = await request.catch((e: unknown) => e)
    expect(axios.isCancel(error)).toBe(true)
    expect(api.requests).toHaveLength(0)
  })

  it('rejects with the TokenError when the reacquisition after a 401 fails', async () => {
    const api = await server(refuseFirstToken)
    const cause = Object.assign(new Error('revoked'), { error: 'invalid_grant' })
    const source = countingSource((call) => {
      if (call > 1) throw cause
      return { accessToken: `t-${call}`, expiresIn: 3600 }
    })
    const { manager: m } = manager([api.origin], source)
    const error: unknown = await client(m).get(api.url('/')).catch((e: unknown) => e)
    expect(isTokenError(error)).toBe(true)
    expect(error).toMatchObject({ cause })
    expect(api.requests).toHaveLength(1)
  })

  it('rejects with the TokenError itself, code and cause kept, no secret in it', async () => {
    const api = await server()
    const cause = Object.assign(new Error('endpoint refused client secret s3cr3t'), { status: 400, error: 'invalid_client' })
    const source = countingSource(() => {
      throw cause
    })
    const { manager: m } = manager([api.origin], source)
    const error: unknown = await client(m).get(api.url('/')).catch((e: unknown) => e)
    expect(isTokenError(error)).toBe(true)
    expect(error).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, cause })
    expect(String((error as Error).message)).not.toContain('s3cr3t')
    expect(JSON.stringify(error)).not.toContain('s3cr3t')
    expect(api.requests).toHaveLength(0)
  })
})

describe('axios authInterceptor: fetch adapter', () => {
  it('attaches, retries a JSON body after a 401, and drops the token across origins', async () => {
    const other = await server()
    const api = await server((request, response) =>
      request.path === '/go' ? redirectTo(other.url('/landing'))(request, response) : refuseFirstToken(request, response),
    )
    const { manager: m, source } = manager([api.origin])
    const http = axios.create({ adapter: 'fetch', validateStatus: () => true })
    http.interceptors.request.use(authInterceptor(m))
    const response = await http.post(api.url('/'), { a: 1 })
    expect(response.status).toBe(200)
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2'])
    expect(api.requests[1]?.hash).toBe(api.requests[0]?.hash)
    expect(source.calls).toBe(2)
    await http.get(api.url('/go'))
    expect(api.requests[2]?.authorization).toBe('Bearer t-2')
    expect(other.requests[0]?.authorization).toBeUndefined()
  })
})

describe('axios withAuth', () => {
  it('installs the interceptor and returns the instance', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const instance = axios.create()
    expect(withAuth(instance, m)).toBe(instance)
    const response = await instance.get(api.url('/'))
    expect(response.status).toBe(200)
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2'])
  })
})
