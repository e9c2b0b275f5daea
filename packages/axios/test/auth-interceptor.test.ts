import { Readable } from 'node:stream'
import type { RequestAuthOptions, TokenManager } from '@tokenwarden/core'
import { countingSource, useManagers } from '@tokenwarden/test-utils'
import { type AuthFixture, type Echo, authFixture } from '@tokenwarden/test-utils/http'
import axios, { type AxiosInstance, type InternalAxiosRequestConfig } from 'axios'
import LegacyFormData from 'form-data'
import { describe, expect, it } from 'vitest'
import { authInterceptor, withAuth } from '../src/index.ts'

// What every adapter does (attach, 401 and retry, bodies, redirects, errors) is in the conformance
// suite (test/conformance), run against axios too: these tests are about axios itself.

const newManager = useManagers()

/** An axios instance with the interceptor for `credential`, every status resolved. */
function client(credential: string | TokenManager, options?: RequestAuthOptions): AxiosInstance {
  const instance = axios.create({ validateStatus: () => true })
  instance.interceptors.request.use(authInterceptor(credential, options))
  return instance
}

/** A fixture whose token the API already refuses: the next request meets a 401 and retries with `token-2`. */
async function revokedFixture(options?: Parameters<typeof authFixture>[0]): Promise<AuthFixture> {
  const f = await authFixture(options)
  await f.manager.getToken()
  f.server.revokeAll()
  return f
}

describe('axios authInterceptor: attaching', () => {
  it("leaves a request with axios's own auth option, or with Authorization: false, alone and fetches no token", async () => {
    const f = await authFixture({ server: { requireAuth: false } })
    const http = client(f.manager)
    await http.get(f.server.url(), { auth: { username: 'u', password: 'p' } })
    await http.get(f.server.url(), { headers: { Authorization: false } })
    expect(f.server.requests.map((r) => r.authorization)).toEqual([`Basic ${Buffer.from('u:p').toString('base64')}`, undefined])
    expect(f.source.calls).toBe(0)
  })

  it('computes the origin from baseURL and url the way axios does', async () => {
    const f = await authFixture({ server: { requireAuth: false } })
    const http = axios.create({ baseURL: `${f.server.origin}/v1/`, validateStatus: () => true })
    http.interceptors.request.use(authInterceptor(f.manager))
    await http.get('items', { params: { q: 'x' } })
    await http.get(f.other.url('/absolute'))
    await http.get(f.other.url('/joined'), { allowAbsoluteUrls: false })
    expect(f.server.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/v1/items?q=x', 'Bearer token-1'],
      [`/v1/${f.other.url('/joined')}`, 'Bearer token-1'],
    ])
    expect(f.other.requests.map((r) => r.authorization)).toEqual([undefined])
  })
})

describe('axios authInterceptor: 401', () => {
  it('returns a second 401 as it is, resolved or rejected per validateStatus', async () => {
    const f = await authFixture({ manager: { coolDown: 0 } })
    const resolved = await client(f.manager).get(f.server.url('/always-401'))
    expect(resolved.status).toBe(401)
    expect(resolved.data).toMatch(/^unauthorized /)
    const strict = axios.create()
    strict.interceptors.request.use(authInterceptor(f.manager))
    await expect(strict.get(f.server.url('/always-401'))).rejects.toMatchObject({ isAxiosError: true, response: { status: 401 } })
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-2', 'Bearer token-3'])
    expect(f.source.calls).toBe(3)
  })

  it('retries after a 401 that validateStatus rejected, and resolves with the retry', async () => {
    const f = await revokedFixture()
    const strict = axios.create()
    strict.interceptors.request.use(authInterceptor(f.manager))
    const response = await strict.get(f.server.url())
    expect(response.status).toBe(200)
  })

  it('retries a 401 whose first body is a stream (responseType: stream), letting that body go', async () => {
    const f = await revokedFixture()
    const response = await client(f.manager).get<Readable>(f.server.url(), { responseType: 'stream' })
    const chunks: Buffer[] = []
    for await (const chunk of response.data) chunks.push(chunk as Buffer)
    expect(response.status).toBe(200)
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ authorization: 'Bearer token-2' })
  })

  it('does not wrap twice a config sent again (response.config)', async () => {
    const f = await authFixture({ manager: { coolDown: 0 } })
    const http = client(f.manager)
    const first = await http.get(f.server.url('/always-401'))
    await http.request(first.config)
    expect(f.server.requests).toHaveLength(4)
  })

  it('passes through the 401 of a form-data package body (a one-shot stream tagged FormData)', async () => {
    const f = await revokedFixture()
    const form = new LegacyFormData()
    form.append('field', 'value')
    const response = await client(f.manager).post(f.server.url(), form)
    expect(response.status).toBe(401)
    expect(f.server.requests).toHaveLength(1)
    expect(f.server.requests[0]?.body).toContain('value')
  })
})

describe('axios authInterceptor: redirects', () => {
  it('checks each redirect hop itself and then calls the caller beforeRedirect', async () => {
    const m = newManager({ source: countingSource(), origins: ['http://127.0.0.1:1'] })
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
    const m = newManager({ source: countingSource(), origins: ['http://127.0.0.1:1'] })
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
    expect(seen.map((config) => config.headers.Authorization)).toEqual(['Bearer token-1', renewed.authorization])
    const hop = { href: 'http://127.0.0.1:1/next', headers: { Authorization: 'Bearer token-1' } }
    seen[1]?.beforeRedirect?.(hop, { headers: {}, statusCode: 302 }, { headers: {}, url: 'http://127.0.0.1:1/', method: 'GET' })
    expect(hop.headers).toEqual({ Authorization: renewed.authorization })
    expect(hops).toEqual([hop.href])
  })
})

describe('axios authInterceptor: fetch adapter', () => {
  it('attaches, retries a JSON body after a 401, and drops the token across origins', async () => {
    const f = await revokedFixture()
    const http = axios.create({ adapter: 'fetch', validateStatus: () => true })
    http.interceptors.request.use(authInterceptor(f.manager))
    const response = await http.post(f.server.url(), { a: 1 })
    expect(response.status).toBe(200)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
    expect(f.server.requests[1]?.sha256).toBe(f.server.requests[0]?.sha256)
    expect(f.source.calls).toBe(2)
    await http.get(f.server.url(`/redirect?to=${encodeURIComponent(f.other.url('/landing'))}`))
    expect(f.server.requests[2]?.authorization).toBe('Bearer token-2')
    expect(f.other.requests[0]?.authorization).toBeUndefined()
  })
})

describe('axios withAuth', () => {
  it('installs the interceptor and returns the instance', async () => {
    const f = await revokedFixture()
    const instance = axios.create()
    expect(withAuth(instance, f.manager)).toBe(instance)
    const response = await instance.get(f.server.url())
    expect(response.status).toBe(200)
    expect((response.data as Echo).authorization).toBe('Bearer token-2')
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })
})
