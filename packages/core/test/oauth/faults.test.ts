import type { ServerResponse } from 'node:http'
import { ManualClock, acquireContext, nextEvent, rejection, useManagers } from '@tokenwarden/test-utils'
import { type Script, type ScriptedEndpoint, scriptedEndpoint, sendJson } from '@tokenwarden/test-utils/http'
import { afterEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { TokenEndpointError } from '../../src/oauth/token-endpoint-error.ts'
import type { TokenSource } from '../../src/source.ts'

const endpoints: ScriptedEndpoint[] = []
afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.close()))
})
/** Managers (closed after each test, before the endpoints) that retry twice at once. */
const manager = useManagers({ maxRetries: 2, retryDelay: () => 0 })

async function endpoint(script: Script): Promise<ScriptedEndpoint> {
  const e = await scriptedEndpoint(script)
  endpoints.push(e)
  return e
}

function source(e: ScriptedEndpoint, timeoutMs?: number): TokenSource {
  return clientCredentials({ tokenEndpoint: e.tokenEndpoint, clientId: 'svc', clientSecret: 'svc-secret-0123456789', timeoutMs })
}

const ok = (res: ServerResponse, body: Record<string, unknown> = {}): void =>
  sendJson(res, 200, { access_token: 'at-fresh', token_type: 'Bearer', expires_in: 3600, ...body })
const html = (res: ServerResponse, status: number): void => {
  res.writeHead(status, { 'content-type': 'text/html' })
  res.end('<html><body><h1>Bad Gateway</h1></body></html>')
}

describe('terminal answers fail at once, with one request', () => {
  it.each([
    ['invalid_client', 400, (res: ServerResponse) => sendJson(res, 400, { error: 'invalid_client' })],
    [
      'invalid_client (401 challenge)',
      401,
      (res: ServerResponse) =>
        sendJson(res, 401, { error: 'invalid_client', error_description: 'no such client' }, { 'www-authenticate': 'Basic realm="idp"' }),
    ],
    ['invalid_grant', 400, (res: ServerResponse) => sendJson(res, 400, { error: 'invalid_grant' })],
    ['unauthorized_client', 400, (res: ServerResponse) => sendJson(res, 400, { error: 'unauthorized_client' })],
    ['invalid_scope', 400, (res: ServerResponse) => sendJson(res, 400, { error: 'invalid_scope' })],
    ['unsupported_grant_type', 400, (res: ServerResponse) => sendJson(res, 400, { error: 'unsupported_grant_type' })],
    ['a 403 without an OAuth body', 403, (res: ServerResponse) => html(res, 403)],
    ['a 404', 404, (res: ServerResponse) => sendJson(res, 404, { message: 'not found' })],
  ])('%s', async (name, status, answer) => {
    const e = await endpoint((_, res) => answer(res))
    const m = manager({ source: source(e) })
    const error = await rejection(() => m.getToken())
    expect(error).toBeInstanceOf(TokenEndpointError)
    expect(error).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status, transient: false })
    expect(error.error).toBe(name.includes('_') ? name.split(' ')[0] : undefined)
    expect(e.requests.length).toBe(1)
  })

  it('keeps a sanitised error_description', async () => {
    const e = await endpoint((_, res) => sendJson(res, 400, { error: 'invalid_grant', error_description: `bad\u0000\u202e grant ${'x'.repeat(300)}` }))
    const error = await rejection(() => source(e).acquire(acquireContext()))
    expect(error.errorDescription).toBe(`bad grant ${'x'.repeat(190)}`)
  })
})

describe('transient answers are retried', () => {
  it.each([
    ['503', (res: ServerResponse) => sendJson(res, 503, { error: 'server_error' }), 503, undefined],
    ['429 with Retry-After', (res: ServerResponse) => sendJson(res, 429, { error: 'slow_down' }, { 'retry-after': '7' }), 429, 7],
    ['temporarily_unavailable', (res: ServerResponse) => sendJson(res, 400, { error: 'temporarily_unavailable' }), 400, undefined],
    ['an HTML 502 page', (res: ServerResponse) => html(res, 502), 502, undefined],
    ['a dropped connection', (res: ServerResponse) => void res.socket?.destroy(), undefined, undefined],
  ])('%s', async (_, fail, status, retryAfter) => {
    const e = await endpoint((call, res) => (call < 3 ? fail(res) : ok(res)))
    const seen: unknown[] = []
    const m = manager({ source: source(e), retryDelay: (_attempt, error) => (seen.push(error), 0) })
    expect((await m.getToken()).accessToken).toBe('at-fresh')
    expect(e.requests.length).toBe(3)
    expect(seen).toHaveLength(2)
    expect(seen[0]).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status, retryAfter, transient: true })
  })

  it('times out a request that gets no answer, as a transient TOKEN_SOURCE_TIMEOUT', async () => {
    const e = await endpoint((call, res) => (call < 3 ? undefined : ok(res)))
    const seen: unknown[] = []
    const m = manager({ source: source(e, 100), retryDelay: (_attempt, error) => (seen.push(error), 0) })
    expect((await m.getToken()).accessToken).toBe('at-fresh')
    expect(seen[0]).toMatchObject({ code: ErrorCode.SOURCE_TIMEOUT, transient: true, status: undefined })
  })

  it('gives up after maxRetries with TOKEN_ACQUISITION_FAILED, the attempt count and the last error as cause', async () => {
    const e = await endpoint((_, res) => sendJson(res, 503, {}, { 'retry-after': '1' }))
    const error = await rejection(() => manager({ source: source(e) }).getToken())
    expect(error).toMatchObject({ code: ErrorCode.ACQUISITION_FAILED, attempts: 3, transient: true })
    expect((error as Error).cause).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status: 503, retryAfter: 1, transient: true })
    expect(e.requests.length).toBe(3)
  })

  it('stops a request in flight when the signal aborts', async () => {
    const e = await endpoint(() => undefined)
    const controller = new AbortController()
    const pending = source(e).acquire(acquireContext({ signal: controller.signal }))
    while (e.inFlight === 0) await new Promise((resolve) => setImmediate(resolve))
    controller.abort(new Error('closing'))
    await expect(pending).rejects.toThrow('closing')
    while (e.inFlight > 0) await new Promise((resolve) => setImmediate(resolve))
  })
})

describe('malformed answers are TOKEN_MALFORMED, terminal', () => {
  it.each([
    ['a 200 HTML page', (res: ServerResponse) => html(res, 200)],
    ['no access_token', (res: ServerResponse) => sendJson(res, 200, { token_type: 'Bearer', expires_in: 60 })],
    ['no token_type', (res: ServerResponse) => sendJson(res, 200, { access_token: 'at', expires_in: 60 })],
    ['expires_in as a string', (res: ServerResponse) => ok(res, { expires_in: '3600' })],
    ['a negative expires_in', (res: ServerResponse) => ok(res, { expires_in: -5 })],
    ['a zero expires_in', (res: ServerResponse) => ok(res, { expires_in: 0 })],
  ])('%s', async (_, answer) => {
    const e = await endpoint((__, res) => answer(res))
    const m = manager({ source: source(e) })
    const error = await rejection(() => m.getToken())
    expect(error).toMatchObject({ code: ErrorCode.MALFORMED, transient: false })
    expect(e.requests.length).toBe(1)
  })
})

describe('token lifetimes', () => {
  it('passes an absent expires_in through: the manager default applies, else no expiry', async () => {
    const e = await endpoint((_, res) => sendJson(res, 200, { access_token: 'at', token_type: 'bearer' }))
    expect((await source(e).acquire(acquireContext())).expiresIn).toBeUndefined()
    const withDefault = await manager({ source: source(e), defaultExpiresIn: 120 }).getToken()
    expect(withDefault.expiresAt).toBe(withDefault.issuedAt + 120_000)
    expect((await manager({ source: source(e) }).getToken()).expiresAt).toBeUndefined()
  })

  it('passes a short lifetime through, for the manager to place its windows (an expirySkew above it is capped)', async () => {
    const e = await endpoint((_, res) => ok(res, { expires_in: 5 }))
    expect((await source(e).acquire(acquireContext())).expiresIn).toBe(5)
    const token = await manager({ source: source(e), expirySkew: 30 }).getToken()
    expect(token.expiresAt! - token.issuedAt).toBe(5000)
    expect(e.requests.length).toBe(2)
  })

  it('honours a server refresh_in', async () => {
    const e = await endpoint((_, res) => ok(res, { refresh_in: 10 }))
    const token = await manager({ source: source(e) }).getToken()
    expect(token.refreshAt).toBe(token.issuedAt + 10_000)
  })

  it('keeps serving a still-valid token while the endpoint answers 503', async () => {
    const e = await endpoint((call, res) => (call === 1 ? ok(res, { expires_in: 100 }) : sendJson(res, 503, {})))
    const clock = new ManualClock(Date.now())
    const m = manager({ source: source(e), clock, maxRetries: 0, refreshBefore: 30, expirySkew: 5 })
    const first = await m.getToken()
    await clock.advance(75_000)
    const failed = nextEvent(m, 'refresh-failed')
    expect(await m.getToken()).toBe(first)
    expect((await failed).error).toMatchObject({ status: 503, transient: true })
    expect(await m.getToken()).toBe(first)
    await clock.advance(10_000)
    expect(await m.getToken()).toBe(first)
    expect(e.requests.length).toBeGreaterThanOrEqual(2)
  })
})
