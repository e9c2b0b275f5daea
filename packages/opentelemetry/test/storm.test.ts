import { trace } from '@opentelemetry/api'
import { CredentialRegistry, clientCredentials } from '@tokenwarden/core'
import { withAuth } from '@tokenwarden/fetch'
import { type ResourceServer, type ScriptedEndpoint, scriptedEndpoint, sendJson, startResourceServer } from '@tokenwarden/test-utils/http'
import { afterEach, describe, expect, it } from 'vitest'
import { attributeNames as a, metricNames as m } from '../src/index.ts'
import { ACQUISITION_SPAN } from '../src/acquisition-spans.ts'
import { total, useTelemetry } from './support/telemetry.ts'

const CLIENT_SECRET = 'client-secret-Xq7pL2vN9rT4'
const QUERY_SECRET = 'query-secret-Hk3mW8zB5cF1'
const REQUESTS = 200

const closing: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close()
})

/**
 * A token endpoint issuing `access-secret-<n>` (and a refresh token) that the resource server
 * accepts, and credential `api` on the fetch adapter: a clientCredentials source with a client
 * secret, to the resource server only.
 */
async function world(): Promise<{
  server: ResourceServer
  endpoint: ScriptedEndpoint
  send: (path: string) => Promise<number>
  registry: CredentialRegistry
  throttle: () => void
}> {
  const server = await startResourceServer()
  let throttled = false
  const endpoint = await scriptedEndpoint((call, res) => {
    if (throttled) {
      sendJson(res, 429, { error: 'slow_down', error_description: `slow down, ${QUERY_SECRET}` }, { 'retry-after': '0' })
      return
    }
    const accessToken = `access-secret-${call}-Zr5tY1`
    server.accept(accessToken)
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600, refresh_token: `refresh-secret-${call}-Qw2` })
  })
  const registry = new CredentialRegistry()
  registry.register('api', {
    source: clientCredentials({ tokenEndpoint: `${endpoint.tokenEndpoint}?tenant=${QUERY_SECRET}`, clientId: 'svc', clientSecret: CLIENT_SECRET }),
    origins: [server.origin],
    prefetch: 'lazy',
    maxRetries: 1,
    retryDelay: () => 0,
  })
  closing.push(() => server.close(), () => endpoint.close(), () => registry.close())
  const authFetch = withAuth(fetch, 'api', { registry })
  const send = async (path: string): Promise<number> => {
    const response = await authFetch(server.url(path))
    await response.arrayBuffer()
    return response.status
  }
  return { server, endpoint, send, registry, throttle: () => (throttled = true) }
}

describe('a 401 storm through the fetch adapter', () => {
  it(`makes one acquisition span for ${REQUESTS} concurrent 401s of a revoked token, and counts each retry and challenge`, async () => {
    const telemetry = useTelemetry()
    const { server, endpoint, send } = await world()
    expect(await send(`/echo?q=${QUERY_SECRET}`)).toBe(200)
    server.revokeAll()
    const statuses = await Promise.all(Array.from({ length: REQUESTS }, () => send(`/echo?q=${QUERY_SECRET}`)))
    expect(statuses).toEqual(Array(REQUESTS).fill(200))
    expect(endpoint.requests).toHaveLength(2)

    const spans = telemetry.spans().filter((span) => span.name === ACQUISITION_SPAN)
    expect(spans.map((span) => span.attributes[a.reason])).toEqual(['initial', 'rejected'])
    expect(spans[1]?.attributes).toMatchObject({
      [a.credential]: 'api',
      [a.outcome]: 'source',
      [a.attempts]: 1,
      [a.generation]: 2,
      [a.tokenType]: 'Bearer',
      [a.lifetime]: 3600,
      [a.source]: 'client-credentials',
    })

    const subject = { [a.credential]: 'api' }
    expect(total(await telemetry.points(m.acquisitions), { ...subject, [a.reason]: 'rejected', [a.outcome]: 'source' })).toBe(1)
    expect(total(await telemetry.points(m.acquisitions))).toBe(2)
    const durations = await telemetry.points(m.acquisitionDuration)
    expect(total(durations)).toBe(2)
    expect(total(await telemetry.points(m.requestRetries), { ...subject, [a.retryKind]: 'token', [a.status]: 401 })).toBe(REQUESTS)
    expect(total(await telemetry.points(m.requestRetries))).toBe(REQUESTS)
    expect(
      total(await telemetry.points(m.challenges), {
        ...subject,
        [a.status]: 401,
        [a.challengeScheme]: 'Bearer',
        [a.challengeError]: 'invalid_token',
        [a.challengeAction]: 'reacquire',
      }),
    ).toBe(REQUESTS)
    const lifetimes = await telemetry.points(m.tokenRemainingLifetime)
    expect(total(lifetimes)).toBeGreaterThanOrEqual(1)
    expect(lifetimes.every((point) => (point.sum ?? 0) / (point.count ?? 1) <= 3600)).toBe(true)
  })

  it('never puts a token, a secret or a URL query in a span or metric attribute, failures included', async () => {
    const telemetry = useTelemetry()
    const { server, send, registry, throttle } = await world()
    await send(`/echo?q=${QUERY_SECRET}`)
    server.revokeAll()
    await Promise.all(Array.from({ length: 20 }, () => send(`/echo?q=${QUERY_SECRET}`)))
    throttle()
    await expect(registry.get('api')?.refresh()).rejects.toMatchObject({ code: 'TOKEN_ACQUISITION_FAILED' })
    expect(telemetry.spans().at(-1)?.status).toEqual({ code: 2, message: 'TOKEN_ACQUISITION_FAILED' })
    const values = await telemetry.everyAttribute()
    expect(values.length).toBeGreaterThan(40)
    const secrets = ['access-secret-', 'refresh-secret-', CLIENT_SECRET, QUERY_SECRET, '?', 'Zr5tY1']
    expect(values.filter((value) => secrets.some((secret) => value.includes(secret)))).toEqual([])
  })
})

describe('an identity provider that throttles', () => {
  it('counts each failed token request by code, status and OAuth error, and the failed acquisition', async () => {
    const telemetry = useTelemetry()
    const { send, registry, throttle } = await world()
    await send('/echo')
    throttle()
    await expect(registry.get('api')?.refresh()).rejects.toMatchObject({ code: 'TOKEN_ACQUISITION_FAILED' })
    const failures = await telemetry.points(m.refreshFailures)
    expect(failures).toEqual([
      {
        attributes: {
          [a.credential]: 'api',
          [a.reason]: 'forced',
          [a.errorType]: 'TOKEN_ENDPOINT_ERROR',
          [a.status]: 429,
          [a.oauthError]: 'slow_down',
          [a.willRetry]: true,
        },
        value: 1,
      },
      {
        attributes: {
          [a.credential]: 'api',
          [a.reason]: 'forced',
          [a.errorType]: 'TOKEN_ENDPOINT_ERROR',
          [a.status]: 429,
          [a.oauthError]: 'slow_down',
          [a.willRetry]: false,
        },
        value: 1,
      },
    ])
    expect(total(await telemetry.points(m.acquisitions), { [a.outcome]: 'failed', [a.errorType]: 'TOKEN_ACQUISITION_FAILED' })).toBe(1)
    const failed = telemetry.spans().at(-1)
    expect(failed?.events.map((event) => event.attributes?.[a.attempts])).toEqual([1, 2])
  })
})

describe('the acquisition span', () => {
  it('is a child of the span active when a request needed the token', async () => {
    const telemetry = useTelemetry()
    const { send } = await world()
    const tracer = telemetry.tracerProvider.getTracer('test')
    await tracer.startActiveSpan('GET /echo', async (request) => {
      expect(await send('/echo')).toBe(200)
      request.end()
    })
    const [acquisition] = telemetry.spans().filter((span) => span.name === ACQUISITION_SPAN)
    const parent = telemetry.spans().find((span) => span.name === 'GET /echo')
    expect(acquisition?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId)
    expect(acquisition?.spanContext().traceId).toBe(parent?.spanContext().traceId)
    expect(trace.getActiveSpan()).toBeUndefined()
  })
})
