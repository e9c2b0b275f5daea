import { Readable } from 'node:stream'
import { ErrorCode, type RequestAuthOptions, TokenManager, isTokenError } from '@tokenwarden/core'
import got, { AbortError, type Got, HTTPError } from 'got'
import { describe, expect, it } from 'vitest'
import { authHooks, withAuth } from '../src/index.ts'
import { countingSource, frozenClock } from '../../../test/support/adapter-kit/credential.ts'
import { useAdapterFixtures } from '../../../test/support/adapter-kit/fixtures.ts'
import { type Responder, acceptOnly, echo, redirectTo, withoutBoundary } from '../../../test/support/adapter-kit/loopback.ts'

const { server, manager, registry } = useAdapterFixtures()

function client(credential: string | TokenManager, options?: RequestAuthOptions): Got {
  return got.extend(authHooks(credential, options), { throwHttpErrors: false, retry: { limit: 0 } })
}

const refuseFirstToken: Responder = acceptOnly(() => 't-2')
const alwaysRefuse: Responder = acceptOnly(() => 'never')

describe('got authHooks: attaching', () => {
  it('attaches the token to a request for the credential origin', async () => {
    const api = await server()
    const names = registry()
    const source = countingSource()
    names.register('api', { source, origins: [api.origin], prefetch: 'lazy', clock: frozenClock() })
    const response = await client('api', { registry: names })(api.url('/a'))
    expect(response.statusCode).toBe(200)
    expect(api.requests[0]?.authorization).toBe('Bearer t-1')
    expect(source.calls).toBe(1)
  })

  it('attaches a cached token synchronously: beforeRequest returns no promise', async () => {
    const api = await server()
    const { manager: m } = manager([api.origin])
    const [beforeRequest] = authHooks(m).hooks.beforeRequest
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
    await spy(api.url('/a'))
    await spy(api.url('/b'))
    expect(seen[0]).toBeInstanceOf(Promise)
    expect(seen[1]).toBeUndefined()
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-1'])
  })

  it('leaves a caller-set Authorization alone, in any case, and fetches no token', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m, source } = manager([api.origin])
    const http = client(m)
    const upper = await http(api.url('/'), { headers: { Authorization: 'Bearer mine' } })
    const basic = await http(api.url('/'), { username: 'u', password: 'p' })
    const none = await http(api.url('/'), { headers: { authorization: undefined } })
    expect([upper.statusCode, basic.statusCode, none.statusCode]).toEqual([401, 401, 401])
    expect(api.requests.map((r) => r.authorization)).toEqual([
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
    const response = await client(m)(other.url('/'))
    expect(response.statusCode).toBe(200)
    expect(other.requests[0]?.authorization).toBeUndefined()
    expect(source.calls).toBe(0)
  })

  it('strips one of our tokens from a request to another origin', async () => {
    const other = await server()
    const { manager: m } = manager(['http://127.0.0.1:1'])
    const token = await m.getToken()
    await client(m)(other.url('/'), { headers: { AUTHORIZATION: token.authorization } })
    expect(other.requests[0]?.authorization).toBeUndefined()
  })

  it('computes the origin from prefixUrl and url', async () => {
    const api = await server()
    const { manager: m } = manager([api.origin])
    await client(m).extend({ prefixUrl: `${api.origin}/v1` })('items', { searchParams: { q: 'x' } })
    expect(api.requests.map((r) => [r.path, r.authorization])).toEqual([['/v1/items?q=x', 'Bearer t-1']])
  })

  it('refuses a credential with no origins at creation, with a coded error', () => {
    const names = registry()
    names.register('bare', { source: countingSource(), prefetch: 'lazy' })
    expect(() => authHooks('bare', { registry: names })).toThrow(expect.objectContaining({ code: ErrorCode.NO_ORIGINS }))
  })

  it('refuses at the first request a credential registered later with no origins', async () => {
    const api = await server()
    const names = registry()
    const http = client('late', { registry: names })
    const source = countingSource()
    names.register('late', { source, prefetch: 'lazy' })
    const error: unknown = await http(api.url('/')).catch((e: unknown) => e)
    expect(isTokenError(error)).toBe(true)
    expect(error).toMatchObject({ code: ErrorCode.NO_ORIGINS })
    expect(api.requests).toHaveLength(0)
    expect(source.calls).toBe(0)
  })
})

describe('got authHooks: 401', () => {
  it('reacquires once and resends once with the new token', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m, source } = manager([api.origin])
    const response = await client(m)(api.url('/'))
    expect(response.statusCode).toBe(200)
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2'])
    expect(source.calls).toBe(2)
  })

  it('returns a second 401 as it is; with throwHttpErrors got throws its HTTPError', async () => {
    const api = await server(alwaysRefuse)
    const { manager: m, source } = manager([api.origin])
    const resolved = await client(m)(api.url('/'))
    expect(resolved.statusCode).toBe(401)
    expect(resolved.body).toBe('denied')
    const strict = got.extend(authHooks(m), { retry: { limit: 0 } })
    await expect(strict(api.url('/'))).rejects.toBeInstanceOf(HTTPError)
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2', 'Bearer t-2', 'Bearer t-3'])
    expect(source.calls).toBe(3)
  })

  it('lets afterResponse hooks installed after its own see the retried response', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const seen: number[] = []
    const http = client(m).extend({ hooks: { afterResponse: [(response) => (seen.push(response.statusCode), response)] } })
    const response = await http(api.url('/'))
    expect(response.statusCode).toBe(200)
    expect(seen).toEqual([200])
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2'])
  })

  it('does not retry a 401 whose challenges are all for another scheme', async () => {
    const api = await server((_request, response) => {
      response.writeHead(401, { 'www-authenticate': 'Basic realm="other"' })
      response.end()
    })
    const { manager: m, source } = manager([api.origin])
    const response = await client(m)(api.url('/'))
    expect(response.statusCode).toBe(401)
    expect(api.requests).toHaveLength(1)
    expect(source.calls).toBe(1)
  })

  it('refreshes once for 100 concurrent 401s', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m, source } = manager([api.origin])
    const http = client(m)
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => http(api.url(`/${i}`))))
    expect(responses.every((r) => r.statusCode === 200)).toBe(true)
    expect(source.calls).toBe(2)
    expect(api.requests).toHaveLength(200)
  })

  it.each([
    ['json', { json: { a: 1, b: ['x', 'y'] } }],
    ['string', { body: 'plain text body' }],
    ['Buffer', { body: Buffer.from([0, 1, 2, 250, 251, 252]) }],
    ['form', { form: { a: '1', b: 'é' } }],
    [
      'URLSearchParams string',
      { body: new URLSearchParams([['a', '1'], ['a', '2']]).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    ],
  ])('replays a %s body byte for byte', async (_kind, body) => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const response = await client(m).post(api.url('/'), body)
    expect(response.statusCode).toBe(200)
    expect(api.requests).toHaveLength(2)
    expect(api.requests[0]?.body.length).toBeGreaterThan(0)
    expect(api.requests[1]?.hash).toBe(api.requests[0]?.hash)
  })

  it('replays a FormData body part for part (got picks a new boundary for each send)', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const form = new FormData()
    form.append('field', 'value')
    form.append('file', new Blob(['file content']), 'a.txt')
    const response = await client(m).post(api.url('/'), { body: form })
    expect(response.statusCode).toBe(200)
    const [first, second] = api.requests.map(withoutBoundary)
    expect(first).toContain('file content')
    expect(second).toBe(first)
  })

  it('passes a stream body 401 through and never resends it empty', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const response = await client(m).post(api.url('/'), { body: Readable.from(['chunk-1 ', 'chunk-2']) })
    expect(response.statusCode).toBe(401)
    expect(api.requests).toHaveLength(1)
    expect(api.requests[0]?.body.toString()).toBe('chunk-1 chunk-2')
  })

  it('buffers a stream under maxReplayBytes and replays it; a larger one goes once, whole', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const small = await client(m, { maxReplayBytes: 16 }).post(api.url('/small'), { body: Readable.from(['chunk-1 ', 'chunk-2']) })
    expect(small.statusCode).toBe(200)
    expect(api.requests.map((r) => r.body.toString())).toEqual(['chunk-1 chunk-2', 'chunk-1 chunk-2'])
    const refusing = await server(refuseFirstToken)
    const { manager: fresh } = manager([refusing.origin])
    const large = await client(fresh, { maxReplayBytes: 16 }).post(refusing.url('/large'), {
      body: Readable.from(['0123456789', '0123456789', 'end']),
    })
    expect(large.statusCode).toBe(401)
    expect(large.body).toBe('denied')
    expect(refusing.requests.map((r) => [r.authorization, r.body.toString()])).toEqual([['Bearer t-1', '01234567890123456789end']])
  })
})

describe('got authHooks: redirects', () => {
  it('never sends the token across a redirect to another origin (another port)', async () => {
    const other = await server()
    const api = await server(redirectTo(other.url('/landing')))
    const { manager: m } = manager([api.origin])
    const response = await client(m)(api.url('/go'))
    expect(response.statusCode).toBe(200)
    expect(api.requests[0]?.authorization).toBe('Bearer t-1')
    expect(other.requests[0]?.authorization).toBeUndefined()
  })

  it('keeps the token on a same-origin redirect', async () => {
    const api = await server((request, response) =>
      request.path === '/go' ? redirectTo('/landing')(request, response) : echo(request, response),
    )
    const { manager: m } = manager([api.origin])
    await client(m)(api.url('/go'))
    expect(api.requests.map((r) => [r.path, r.authorization])).toEqual([
      ['/go', 'Bearer t-1'],
      ['/landing', 'Bearer t-1'],
    ])
  })
})

describe('got authHooks: waiting and failing', () => {
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
    const request = client(m)(api.url('/'), { signal: controller.signal })
    await acquiring
    controller.abort()
    const error: unknown = await request.catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AbortError)
    expect(error).toMatchObject({ code: 'ERR_ABORTED' })
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
    const error: unknown = await client(m)(api.url('/')).catch((e: unknown) => e)
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
    const error: unknown = await client(m)(api.url('/')).catch((e: unknown) => e)
    expect(isTokenError(error)).toBe(true)
    expect(error).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, cause })
    expect(String((error as Error).message)).not.toContain('s3cr3t')
    expect(JSON.stringify(error)).not.toContain('s3cr3t')
    expect(api.requests).toHaveLength(0)
  })
})

describe('got withAuth and got.stream', () => {
  it('extends without touching got.defaults', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m } = manager([api.origin])
    const before = { beforeRequest: got.defaults.options.hooks.beforeRequest.length, afterResponse: got.defaults.options.hooks.afterResponse.length }
    const authed = withAuth(got, m)
    expect(authed).not.toBe(got)
    expect({ beforeRequest: got.defaults.options.hooks.beforeRequest.length, afterResponse: got.defaults.options.hooks.afterResponse.length }).toEqual(before)
    const response = await authed(api.url('/'))
    expect(response.statusCode).toBe(200)
    await got(api.url('/plain'), { throwHttpErrors: false })
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1', 'Bearer t-2', undefined])
  })

  it('attaches the token to got.stream and passes its 401 through (no afterResponse for streams)', async () => {
    const api = await server(refuseFirstToken)
    const { manager: m, source } = manager([api.origin])
    const stream = client(m).stream(api.url('/'))
    const status = await new Promise<number>((resolve) => stream.on('response', (response: { statusCode: number }) => resolve(response.statusCode)))
    const chunks: Buffer[] = []
    for await (const chunk of stream) chunks.push(chunk as Buffer)
    expect(status).toBe(401)
    expect(Buffer.concat(chunks).toString()).toBe('denied')
    expect(api.requests.map((r) => r.authorization)).toEqual(['Bearer t-1'])
    expect(source.calls).toBe(1)
  })
})
