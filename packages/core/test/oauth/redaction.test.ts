import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ReauthorizationRequiredError } from '../../src/errors.ts'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { jwtBearer } from '../../src/oauth/jwt-bearer.ts'
import { refreshToken } from '../../src/oauth/refresh-token.ts'
import { TokenEndpointError } from '../../src/oauth/token-endpoint-error.ts'
import { tokenExchange } from '../../src/oauth/token-exchange.ts'
import type { TokenSource } from '../../src/source.ts'
import { TokenManager } from '../../src/token-manager.ts'
import { acquireContext, caught } from './support/context.ts'
import { type ScriptedEndpoint, scriptedEndpoint, sendJson } from './support/servers.ts'

const SECRET = 'client/secret+with=odd chars-0123456789'
const REFRESH = 'refresh-token-value-0123456789'
const SUBJECT = 'subject-token-value-0123456789'
const ASSERTION = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.assertion-0123456789'
const ACCESS = 'leaked-access-token-0123456789'
const ALL = [SECRET, encodeURIComponent(SECRET), new URLSearchParams({ s: SECRET }).toString().slice(2), REFRESH, SUBJECT, ASSERTION, ACCESS]

/** Every way an error gets printed or serialised. */
function renderings(error: Error): string[] {
  return [error.message, String(error), error.stack ?? '', JSON.stringify(error), inspect(error, { depth: Infinity }), inspect({ error }, { depth: Infinity })]
}

function expectNoSecret(error: Error): void {
  for (const text of renderings(error)) for (const secret of ALL) expect(text).not.toContain(secret)
}

let echo: ScriptedEndpoint
let malformed: ScriptedEndpoint
beforeAll(async () => {
  // A careless server: echoes the whole request (secrets included) in its error answer.
  echo = await scriptedEndpoint((_, res) => {
    const body = echo.requests.at(-1)?.toString() ?? ''
    sendJson(res, 400, { error: 'invalid_grant', error_description: `bad request: ${decodeURIComponent(body)} / ${body}`, echo: body })
  })
  // A broken server: a token answer openid-client rejects, holding an access and a refresh token.
  malformed = await scriptedEndpoint((_, res) =>
    sendJson(res, 200, { access_token: ACCESS, refresh_token: REFRESH, token_type: 'Bearer', expires_in: -1 }),
  )
})
afterAll(async () => {
  await Promise.all([echo.close(), malformed.close()])
})

describe('no secret in any error', () => {
  const cases: [string, () => TokenSource][] = [
    ['client_secret_post', () => clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, clientAuth: 'client_secret_post' })],
    ['client assertion', () => clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientAssertion: () => ASSERTION })],
    ['token exchange', () => tokenExchange({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, subjectToken: () => SUBJECT, subjectTokenType: 'urn:x', actorToken: () => ASSERTION, actorTokenType: 'urn:y' })],
    ['jwt-bearer', () => jwtBearer({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, assertion: () => ASSERTION })],
  ]

  it.each(cases)('%s: an error answer echoing the request', async (_, source) => {
    const error = await caught(() => source().acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenEndpointError)
    expect(error.errorDescription).toContain('[redacted]')
    expectNoSecret(error)
    const raw = inspect(error.cause, { depth: Infinity })
    expect(ALL.some((secret) => raw.includes(secret))).toBe(true)
  })

  it('refresh token: the reauthorization error and its cause', async () => {
    const m = new TokenManager({
      prefetch: 'lazy',
      source: refreshToken({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, refreshToken: REFRESH }),
    })
    try {
      const error = await caught(() => m.getToken())
      expect(error).toBeInstanceOf(ReauthorizationRequiredError)
      expectNoSecret(error)
      expectNoSecret(error.cause as Error)
    } finally {
      await m.close()
    }
  })

  it('a malformed answer: the raw response holding the tokens stays in the cause only', async () => {
    const error = await caught(() =>
      clientCredentials({ tokenEndpoint: malformed.tokenEndpoint, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()),
    )
    expect(error.code).toBe('TOKEN_MALFORMED')
    expectNoSecret(error)
    expect(inspect(error.cause, { depth: Infinity })).toContain(ACCESS)
  })

  it('a bad private key is named, never shown', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nnot-really-a-key-0123456789\n-----END PRIVATE KEY-----'
    let error: Error | undefined
    try {
      clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', privateKey: pem })
    } catch (e) {
      error = e as Error
    }
    expect(error).toMatchObject({ option: 'privateKey' })
    for (const text of renderings(error as Error)) expect(text).not.toContain('not-really-a-key')
  })
})
