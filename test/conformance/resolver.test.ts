import { CredentialRegistry, type RequestInfo, credentialPool } from '@tokenwarden/core'
import { type CountingSource, countingSource, rejection } from '@tokenwarden/test-utils'
import { startResourceServer } from '@tokenwarden/test-utils/http'
import { describe, expect, it, onTestFinished } from 'vitest'
import { drivers } from './drivers/index.ts'
import { create, echo, tokenErrorIn } from './harness.ts'

/**
 * 100 keys × 100 requests, all at once: 10,000 concurrent requests per adapter, sent as a careful
 * user of each client sends that many, over a capped pool of keep-alive connections. With the
 * clients' defaults (a connection per concurrent request) 10,000 connections exhaust the loopback
 * server's backlog and the clients see ECONNRESET, which says nothing about the adapters.
 */
const KEYS = 100
const PER_KEY = 100
/** Each client's connection cap per origin: of 8, 16, 32, 64 and 256 tried on 2 cores, 16 was the quickest. */
const CONNECTIONS = 16

/** A pool of tenants `t0`…`t99`, each with its own counting source issuing `<tenant>-<n>`; other keys are unknown. */
async function tenants() {
  const server = await startResourceServer()
  onTestFinished(() => server.close())
  const sources = new Map<string, CountingSource>()
  const pool = credentialPool({
    name: 'tenants',
    max: KEYS,
    template: (tenant) => {
      const source = countingSource({ prefix: tenant, onIssue: (token) => server.accept(token) })
      sources.set(tenant, source)
      return { source, origins: [server.origin] }
    },
  })
  onTestFinished(() => pool.close())
  const managers = { get: (tenant: string) => (/^t\d+$/.test(tenant) && Number(tenant.slice(1)) < KEYS ? pool.get(tenant) : undefined) }
  return { server, managers, sources }
}

describe.each(drivers)('$name: a credential chosen per request', (driver) => {
  it(`sends ${KEYS * PER_KEY} concurrent requests across ${KEYS} keys with exactly ${KEYS} token requests, each key's token on its own requests only`, async () => {
    const { server, managers, sources } = await tenants()
    let connections = 0
    server.server.on('connection', () => connections++)
    const seen: RequestInfo[] = []
    const resolve = (request: RequestInfo) => {
      if (seen.length < 1) seen.push({ url: String(request.url), method: request.method, headers: { ...request.headers } })
      return managers.get(request.headers['x-tenant'] ?? '')
    }
    const client = await create(driver, resolve, undefined, { connections: CONNECTIONS })
    const requests = Array.from({ length: KEYS * PER_KEY }, (_, i) => {
      const tenant = `t${i % KEYS}`
      return client.request({ url: server.url(`/echo?tenant=${tenant}`), headers: { 'x-tenant': tenant } })
    })
    const responses = await Promise.all(requests)
    expect(responses.filter((r) => r.status === 200)).toHaveLength(KEYS * PER_KEY)
    expect(connections).toBeLessThanOrEqual(CONNECTIONS)
    expect(sources.size).toBe(KEYS)
    expect([...sources.values()].map((s) => s.calls)).toEqual(Array.from({ length: KEYS }, () => 1))
    const foreign = responses.map(echo).filter((body) => body.token !== `${new URL(body.path, server.origin).searchParams.get('tenant')}-1`)
    expect(foreign).toEqual([])
    expect(seen[0]).toMatchObject({ method: expect.stringMatching(/^get$/i), headers: { 'x-tenant': expect.stringMatching(/^t\d+$/) } })
    expect(String(seen[0]?.url)).toMatch(new RegExp(`^${server.origin}/echo`))
  }, 60_000)

  it('sends a request untouched when the resolver answers undefined, and looks a name up in the registry', async () => {
    const { server, managers, sources } = await tenants()
    const registry = new CredentialRegistry()
    onTestFinished(() => registry.close())
    const named = registry.register('named', { source: countingSource({ prefix: 'named', onIssue: (t) => server.accept(t) }), origins: [server.origin], prefetch: 'lazy' })
    const client = await create(
      driver,
      (request: RequestInfo) => {
        const tenant = request.headers['x-tenant']
        return tenant === 'named' ? 'named' : tenant === undefined ? undefined : managers.get(tenant)
      },
      { registry },
    )
    expect((await client.request({ url: server.url('/echo') })).status).toBe(401)
    expect(server.requests.at(-1)?.authorization).toBeUndefined()
    expect(echo(await client.request({ url: server.url('/echo'), headers: { 'x-tenant': 'named' } })).token).toBe('named-1')
    expect(named.stats().acquisitions).toBe(1)
    expect(sources.size).toBe(0)
  })

  it('fails a request with TOKEN_RESOLVER_FAILED when the resolver throws, and sends nothing', async () => {
    const { server } = await tenants()
    const client = await create(driver, () => {
      throw new Error('no tenant in this request')
    })
    const error = await rejection(client.request({ url: server.url('/echo') }))
    expect(tokenErrorIn(error)?.code).toBe('TOKEN_RESOLVER_FAILED')
    expect(server.requests).toHaveLength(0)
  })
})
