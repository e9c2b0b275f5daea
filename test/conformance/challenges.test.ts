import type { TokenEvent } from '@tokenwarden/core'
import { describe, expect, it } from 'vitest'
import { drivers } from './drivers/index.ts'
import { echo, harness } from './harness.ts'

/** Microsoft Graph's Continuous Access Evaluation challenge, as Graph sends it (unquoted `authorization_uri` first). */
const CLAIMS = '{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}'
const GRAPH_CAE =
  'Bearer realm="", authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize, ' +
  `client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="${btoa(CLAIMS)}"`
const INSUFFICIENT_SCOPE = 'Bearer error="insufficient_scope", scope="files.read files.write"'
const STEP_UP = 'Bearer error="insufficient_user_authentication", error_description="MFA required", acr_values="urn:example:mfa"'
const body = { kind: 'string', value: 'the same body, every send' } as const

/** The `challenge` events a manager emits from now on. */
function challengeEvents(manager: { subscribe(listener: (event: TokenEvent) => void): () => void }): TokenEvent[] {
  const events: TokenEvent[] = []
  manager.subscribe((event) => {
    if (event.type === 'challenge') events.push(event)
  })
  return events
}

describe.each(drivers)('$name: challenges', (driver) => {
  it("answers Graph's CAE challenge with one token acquired with the decoded claims, and resends the body", async () => {
    const h = await harness(driver, {
      server: { challengeFor: (token) => (token === 'token-1' ? { status: 401, challenge: GRAPH_CAE } : undefined) },
    })
    const events = challengeEvents(h.manager)
    const response = await h.client.request({ method: 'POST', url: h.server.url('/echo'), body })
    expect(response.status).toBe(200)
    expect(echo(response).token).toBe('token-2')
    expect(h.source.calls).toBe(2)
    expect(h.source.contexts[1]).toMatchObject({ reason: 'claims', claims: CLAIMS })
    expect(h.server.requests.map((r) => [r.status, r.token, r.body])).toEqual([
      [401, 'token-1', body.value],
      [200, 'token-2', body.value],
    ])
    expect(events).toEqual([
      { type: 'challenge', credential: 'api', status: 401, scheme: 'Bearer', error: 'insufficient_claims', action: 'claims' },
    ])
  })

  it('returns a second claims challenge to the caller: one new token per request', async () => {
    const h = await harness(driver, { server: { challengeFor: () => ({ status: 401, challenge: GRAPH_CAE }) } })
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(401)
    expect(h.source.calls).toBe(2)
    expect(h.server.requests.map((r) => r.status)).toEqual([401, 401])
  })

  it('upgrades scopes after a 403 insufficient_scope when the credential allows it, and resends once', async () => {
    const h = await harness(driver, {
      auth: { challenges: { upgradeScopes: true } },
      server: { challengeFor: (token) => (token === 'token-1' ? { status: 403, challenge: INSUFFICIENT_SCOPE } : undefined) },
    })
    const response = await h.client.request({ method: 'PUT', url: h.server.url('/echo'), body })
    expect(response.status).toBe(200)
    expect(h.source.contexts[1]).toMatchObject({ reason: 'scope-upgrade', scopes: ['files.read', 'files.write'] })
    expect(h.server.requests.map((r) => [r.status, r.token, r.body])).toEqual([
      [403, 'token-1', body.value],
      [200, 'token-2', body.value],
    ])
  })

  it('returns a 403 insufficient_scope as it is when the credential does not opt in', async () => {
    const h = await harness(driver, { server: { challengeFor: () => ({ status: 403, challenge: INSUFFICIENT_SCOPE }) } })
    const events = challengeEvents(h.manager)
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(403)
    expect(h.source.calls).toBe(1)
    expect(events).toEqual([
      { type: 'challenge', credential: 'api', status: 403, scheme: 'Bearer', error: 'insufficient_scope', action: 'returned' },
    ])
  })

  it.each([401, 403])('never retries a step-up challenge (RFC 9470) answered with %d: returned, with an event', async (status) => {
    const h = await harness(driver, { server: { challengeFor: () => ({ status, challenge: STEP_UP }) } })
    const events = challengeEvents(h.manager)
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(status)
    expect(h.source.calls).toBe(1)
    expect(h.server.requests).toHaveLength(1)
    expect(events).toEqual([
      { type: 'challenge', credential: 'api', status, scheme: 'Bearer', error: 'insufficient_user_authentication', action: 'returned' },
    ])
  })

  it('makes no token request for a DPoP nonce challenge to a bearer token', async () => {
    const h = await harness(driver, {
      server: { challengeFor: () => ({ status: 401, challenge: 'DPoP error="use_dpop_nonce", algs="ES256"' }) },
    })
    const response = await h.client.request({ url: h.server.url('/echo') })
    expect(response.status).toBe(401)
    expect(h.source.calls).toBe(1)
  })

  it('sends a request at most three times to a server that challenges forever', async () => {
    let sends = 0
    const h = await harness(driver, {
      auth: { challenges: { upgradeScopes: true } },
      server: {
        challengeFor: () =>
          ++sends % 2 === 1
            ? { status: 401, challenge: 'Bearer error="invalid_token"' }
            : { status: 403, challenge: `Bearer error="insufficient_scope", scope="scope-${sends}"` },
      },
    })
    const response = await h.client.request({ method: 'POST', url: h.server.url('/echo'), body })
    expect(response.status).toBe(401)
    expect(h.server.requests.map((r) => r.status)).toEqual([401, 403, 401])
    expect(h.source.calls).toBe(3)
  })
})
