import { inspect } from 'node:util'
import { acquireContext, logged, rejection } from '@tokenwarden/test-utils'
import { type LoopbackServer, type ScriptedEndpoint, listen, scriptedEndpoint, sendJson } from '@tokenwarden/test-utils/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, ReauthorizationRequiredError } from '../../src/errors.ts'
import { clientCredentials } from '../../src/oauth/client-credentials.ts'
import { jwtBearer } from '../../src/oauth/jwt-bearer.ts'
import { refreshToken } from '../../src/oauth/refresh-token.ts'
import { TokenEndpointError } from '../../src/oauth/token-endpoint-error.ts'
import { tokenExchange } from '../../src/oauth/token-exchange.ts'
import type { TokenSource } from '../../src/source.ts'
import { TokenManager } from '../../src/token-manager.ts'

const SECRET = 'client/secret+with=odd chars-0123456789'
const REFRESH = 'refresh-token-value-0123456789'
const SUBJECT = 'subject-token-value-0123456789'
const ASSERTION = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.assertion-0123456789'
const ACCESS = 'leaked-access-token-0123456789'
/** A token too short for any length rule: only "no raw body" keeps it out. */
const SHORT = 'at9Z7q'
/** The secret as client_secret_basic encodes it (RFC 6749 §2.3.1), and the header value carrying it. */
const BASIC_SECRET = 'client%2Fsecret%2Bwith%3Dodd+chars%2D0123456789'
const BASIC_HEADER = btoa(`c:${BASIC_SECRET}`)
const ALL = [
  SECRET,
  encodeURIComponent(SECRET),
  new URLSearchParams({ s: SECRET }).toString().slice(2),
  BASIC_SECRET,
  BASIC_HEADER,
  REFRESH,
  SUBJECT,
  ASSERTION,
  ACCESS,
]

/** Every way an error gets printed or serialised: what a logger prints, and deeper. */
function renderings(error: Error): string[] {
  return [
    ...logged(error),
    inspect({ error }, { depth: Infinity }),
    inspect(error, { depth: Infinity, showHidden: true, customInspect: false }),
    String(JSON.stringify(error.cause)),
  ]
}

/** Raw-answer carriers that must never be reachable from an error. */
const RAW = [Response, Request, Headers, URLSearchParams, ReadableStream, ArrayBuffer, Uint8Array]

/**
 * Every value reachable from `root` through own properties (enumerable or not, symbols included,
 * getters read), the whole `cause` chain included. Functions are not entered (their prototypes lead
 * to globals, not to data an error holds).
 */
function reachable(root: unknown): unknown[] {
  const seen = new Set<unknown>()
  const out: unknown[] = []
  const pending = [root]
  while (pending.length > 0) {
    const value = pending.pop()
    out.push(value)
    if (typeof value !== 'object' || value === null || seen.has(value)) continue
    seen.add(value)
    for (const key of Reflect.ownKeys(value)) {
      try {
        pending.push(Reflect.get(value, key))
      } catch {
        // a throwing getter holds nothing to leak
      }
    }
  }
  return out
}

function expectNoSecret(error: Error, secrets: readonly string[] = ALL): void {
  for (const text of renderings(error)) for (const secret of secrets) expect(text).not.toContain(secret)
  for (const value of reachable(error)) {
    if (typeof value === 'string') for (const secret of secrets) expect(value).not.toContain(secret)
    for (const type of RAW) expect(value).not.toBeInstanceOf(type)
  }
}

/** The `cause` chain of an error, outermost first. */
function causes(error: Error): Error[] {
  const chain: Error[] = []
  for (let current = error.cause; current instanceof Error; current = current.cause) chain.push(current)
  return chain
}

let echo: ScriptedEndpoint
let challenge: ScriptedEndpoint
let malformed: ScriptedEndpoint
let unparsable: ScriptedEndpoint
let issuer: LoopbackServer
let issuerAnswer: (res: import('node:http').ServerResponse) => void = () => {}
beforeAll(async () => {
  // A careless server: echoes the whole request (secrets included) in its error answer, next to
  // fields that look like a token answer.
  echo = await scriptedEndpoint((_, res, req) => {
    const body = echo.requests.at(-1)?.toString() ?? ''
    const basic = Buffer.from(req.headers.authorization?.slice('Basic '.length) ?? '', 'base64').toString()
    sendJson(res, 400, {
      error: 'invalid_grant',
      error_description: `bad request: ${decodeURIComponent(body)} / ${body} / ${basic} / ${req.headers.authorization}`,
      echo: body,
      client_secret: SECRET,
      access_token: ACCESS,
      refresh_token: REFRESH,
      short: SHORT,
    })
  })
  // A 401 with a challenge (openid-client's WWWAuthenticateChallengeError keeps the Response).
  challenge = await scriptedEndpoint((_, res) =>
    sendJson(res, 401, { error: 'invalid_client', client_secret: SECRET, access_token: ACCESS, short: SHORT }, {
      'www-authenticate': 'Basic realm="token", error="invalid_client"',
    }),
  )
  // A broken server: a token answer openid-client rejects, holding an access and a refresh token.
  malformed = await scriptedEndpoint((_, res) =>
    sendJson(res, 200, { access_token: ACCESS, refresh_token: REFRESH, token_type: 'Bearer', expires_in: -1, short: SHORT }),
  )
  // A 200 whose JSON is cut short: the JSON parser's message quotes the start of the text.
  unparsable = await scriptedEndpoint((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(`${SHORT}${ACCESS}`)
  })
  issuer = await listen((_, res) => issuerAnswer(res))
})
afterAll(async () => {
  await Promise.all([echo.close(), challenge.close(), malformed.close(), unparsable.close(), issuer.close()])
})

describe('no secret in any error, nor in its cause chain', () => {
  const cases: [string, () => TokenSource][] = [
    ['client_secret_post', () => clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, clientAuth: 'client_secret_post' })],
    ['client_secret_basic', () => clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET })],
    ['client assertion', () => clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientAssertion: () => ASSERTION })],
    ['token exchange', () => tokenExchange({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, subjectToken: () => SUBJECT, subjectTokenType: 'urn:x', actorToken: () => ASSERTION, actorTokenType: 'urn:y' })],
    ['jwt-bearer', () => jwtBearer({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, assertion: () => ASSERTION })],
  ]

  it.each(cases)('%s: an error answer echoing the request and holding token fields', async (_, source) => {
    const error = await rejection(() => source().acquire(acquireContext()))
    expect(error).toBeInstanceOf(TokenEndpointError)
    expect(error.errorDescription).toContain('[redacted]')
    expectNoSecret(error, [...ALL, SHORT])
  })

  it('the cause keeps what helps debugging: names, codes, status and OAuth error code', async () => {
    const error = await rejection(() =>
      clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()),
    )
    expect(error).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status: 400, error: 'invalid_grant' })
    expect(error.cause).toBeInstanceOf(Error)
    expect(error.cause).toMatchObject({ name: 'ResponseBodyError', code: 'OAUTH_RESPONSE_BODY_ERROR', status: 400, error: 'invalid_grant' })
    expect((error as unknown as TokenEndpointError).toJSON()).toMatchObject({ cause: expect.stringContaining('ResponseBodyError') })
  })

  it('a 401 challenge: no response object, no body in the cause', async () => {
    const error = await rejection(() =>
      clientCredentials({ tokenEndpoint: challenge.tokenEndpoint, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()),
    )
    expect(error).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status: 401, error: 'invalid_client' })
    expect(error.cause).toMatchObject({ name: 'WWWAuthenticateChallengeError', status: 401 })
    expectNoSecret(error, [...ALL, SHORT])
  })

  it('refresh token: the reauthorization error and its cause', async () => {
    const m = new TokenManager({
      prefetch: 'lazy',
      source: refreshToken({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET, refreshToken: REFRESH }),
    })
    try {
      const error = await rejection(() => m.getToken())
      expect(error).toBeInstanceOf(ReauthorizationRequiredError)
      expectNoSecret(error, [...ALL, SHORT])
    } finally {
      await m.close()
    }
  })

  it('a manager: the error a caller gets, its whole cause chain included', async () => {
    const m = new TokenManager({
      prefetch: 'lazy',
      maxRetries: 0,
      source: clientCredentials({ tokenEndpoint: echo.tokenEndpoint, clientId: 'c', clientSecret: SECRET }),
    })
    try {
      const error = await rejection(() => m.getToken())
      expect([error, ...causes(error)].some((e) => e instanceof TokenEndpointError)).toBe(true)
      expectNoSecret(error, [...ALL, SHORT])
    } finally {
      await m.close()
    }
  })

  it('a malformed 200 holding an access token: no body in the cause', async () => {
    const error = await rejection(() =>
      clientCredentials({ tokenEndpoint: malformed.tokenEndpoint, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()),
    )
    expect(error.code).toBe(ErrorCode.MALFORMED)
    expect(causes(error).length).toBeGreaterThan(0)
    expectNoSecret(error, [...ALL, SHORT])
  })

  it('a 200 that is not JSON: the parser message quoting the answer is dropped', async () => {
    const error = await rejection(() =>
      clientCredentials({ tokenEndpoint: unparsable.tokenEndpoint, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()),
    )
    expect(error.code).toBe(ErrorCode.MALFORMED)
    expect(causes(error).map((cause) => cause.name)).toContain('SyntaxError')
    expectNoSecret(error, [...ALL, SHORT])
  })

  it('discovery: an error answer and an unparsable document keep their bodies out of the cause', async () => {
    issuerAnswer = (res) => sendJson(res, 400, { error: 'invalid_request', access_token: ACCESS, short: SHORT })
    const failed = await rejection(() => clientCredentials({ issuer: issuer.origin, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()))
    expect(failed).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, status: 400 })
    expectNoSecret(failed, [...ALL, SHORT])

    issuerAnswer = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(`${SHORT}${ACCESS}`)
    }
    const broken = await rejection(() => clientCredentials({ issuer: issuer.origin, clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()))
    expect(broken).toMatchObject({ code: ErrorCode.MALFORMED })
    expectNoSecret(broken, [...ALL, SHORT])
  })

  it('a network failure keeps the socket error code in the cause chain', async () => {
    const closed = await listen(() => {})
    await closed.close()
    const error = await rejection(() =>
      clientCredentials({ tokenEndpoint: closed.url('/token'), clientId: 'c', clientSecret: SECRET }).acquire(acquireContext()),
    )
    expect(error).toMatchObject({ code: ErrorCode.ENDPOINT_ERROR, transient: true })
    expect(causes(error).map((cause) => (cause as { code?: unknown }).code)).toContain('ECONNREFUSED')
    expectNoSecret(error)
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
