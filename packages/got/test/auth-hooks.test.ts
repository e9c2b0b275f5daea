import type { RequestAuthOptions, TokenManager } from '@tokenwarden/core'
import { type AuthFixture, authFixture } from '@tokenwarden/test-utils/http'
import got, { type Got, HTTPError } from 'got'
import { describe, expect, it } from 'vitest'
import { authHooks, withAuth } from '../src/index.ts'

// What every adapter does (attach, 401 and retry, bodies, redirects, errors) is in the conformance
// suite (test/conformance), run against got too: these tests are about got itself.

/** got with the hooks for `credential`, every status resolved, got's own retries off. */
function client(credential: string | TokenManager, options?: RequestAuthOptions): Got {
  return got.extend(authHooks(credential, options), { throwHttpErrors: false, retry: { limit: 0 } })
}

/** A fixture whose token the API already refuses: the next request meets a 401 and retries with `token-2`. */
async function revokedFixture(): Promise<AuthFixture> {
  const f = await authFixture()
  await f.manager.getToken()
  f.server.revokeAll()
  return f
}

describe('got authHooks: attaching', () => {
  it('attaches a cached token synchronously: beforeRequest returns no promise', async () => {
    const f = await authFixture()
    const [beforeRequest] = authHooks(f.manager).hooks.beforeRequest
    const seen: unknown[] = []
    const spy = got.extend({
      hooks: {
        beforeRequest: [
          (options, context) => {
            const result = beforeRequest!(options, context)
            seen.push(result)
            return result
          },
        ],
      },
      retry: { limit: 0 },
    })
    await spy(f.server.url('/a'))
    await spy(f.server.url('/b'))
    expect(seen[0]).toBeInstanceOf(Promise)
    expect(seen[1]).toBeUndefined()
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-1'])
  })

  it("leaves a request with got's username and password, or with authorization: undefined, alone and fetches no token", async () => {
    const f = await authFixture({ server: { requireAuth: false } })
    const http = client(f.manager)
    await http(f.server.url(), { username: 'u', password: 'p' })
    await http(f.server.url(), { headers: { authorization: undefined } })
    expect(f.server.requests.map((r) => r.authorization)).toEqual([`Basic ${Buffer.from('u:p').toString('base64')}`, undefined])
    expect(f.source.calls).toBe(0)
  })

  it('computes the origin from prefixUrl and url', async () => {
    const f = await authFixture()
    await client(f.manager).extend({ prefixUrl: `${f.server.origin}/v1` })('items', { searchParams: { q: 'x' } })
    expect(f.server.requests.map((r) => [r.path, r.authorization])).toEqual([['/v1/items?q=x', 'Bearer token-1']])
  })
})

describe('got authHooks: 401', () => {
  it('returns a second 401 as it is; with throwHttpErrors got throws its HTTPError', async () => {
    const f = await authFixture({ manager: { coolDown: 0 } })
    const resolved = await client(f.manager)(f.server.url('/always-401'))
    expect(resolved.statusCode).toBe(401)
    expect(resolved.body).toMatch(/^unauthorized /)
    const strict = got.extend(authHooks(f.manager), { retry: { limit: 0 } })
    await expect(strict(f.server.url('/always-401'))).rejects.toBeInstanceOf(HTTPError)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', 'Bearer token-2', 'Bearer token-3'])
    expect(f.source.calls).toBe(3)
  })

  it('lets afterResponse hooks installed after its own see the retried response', async () => {
    const f = await revokedFixture()
    const seen: number[] = []
    const http = client(f.manager).extend({ hooks: { afterResponse: [(response) => (seen.push(response.statusCode), response)] } })
    const response = await http(f.server.url())
    expect(response.statusCode).toBe(200)
    expect(seen).toEqual([200])
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2'])
  })

  it("replays a body given as got's form option byte for byte", async () => {
    const f = await revokedFixture()
    const response = await client(f.manager).post(f.server.url(), { form: { a: '1', b: 'é' } })
    expect(response.statusCode).toBe(200)
    const [first, retry] = f.server.requests
    expect([first?.status, retry?.status]).toEqual([401, 200])
    expect(retry?.body).toBe('a=1&b=%C3%A9')
    expect(retry?.sha256).toBe(first?.sha256)
  })
})

describe('got withAuth and got.stream', () => {
  it('extends without touching got.defaults', async () => {
    const f = await revokedFixture()
    const before = { beforeRequest: got.defaults.options.hooks.beforeRequest.length, afterResponse: got.defaults.options.hooks.afterResponse.length }
    const authed = withAuth(got, f.manager)
    expect(authed).not.toBe(got)
    expect({ beforeRequest: got.defaults.options.hooks.beforeRequest.length, afterResponse: got.defaults.options.hooks.afterResponse.length }).toEqual(before)
    const response = await authed(f.server.url())
    expect(response.statusCode).toBe(200)
    await got(f.server.url('/plain'), { throwHttpErrors: false })
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1', 'Bearer token-2', undefined])
  })

  it('attaches the token to got.stream and passes its 401 through (no afterResponse for streams)', async () => {
    const f = await revokedFixture()
    const stream = client(f.manager).stream(f.server.url())
    const status = await new Promise<number>((resolve) => stream.on('response', (response: { statusCode: number }) => resolve(response.statusCode)))
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    expect(status).toBe(401)
    expect(Buffer.concat(chunks).toString()).toMatch(/^unauthorized /)
    expect(f.server.requests.map((r) => r.authorization)).toEqual(['Bearer token-1'])
    expect(f.source.calls).toBe(1)
  })
})
