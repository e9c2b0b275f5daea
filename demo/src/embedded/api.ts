import { type JWTPayload, createRemoteJWKSet, jwtVerify } from 'jose'
import { bearerToken, listenOnLoopback, sendJson } from './loopback-server.ts'

/** Options of {@link startApi}. */
export interface ApiOptions {
  /** The issuer whose tokens the API trusts; its keys are read from `<issuer>/jwks`. */
  issuer: string
  /** The audience a token must name. */
  audience: string
  /** Called with each answer as it is sent. */
  onAnswer?: ((answer: ApiAnswer) => void) | undefined
}

/** One answer of the API: the request line, the status, and the OAuth error code of a 401. */
export interface ApiAnswer {
  readonly method: string
  readonly path: string
  readonly status: 200 | 401
  readonly error?: string | undefined
}

/** A running protected API on 127.0.0.1. */
export interface EmbeddedApi {
  /** `http://127.0.0.1:<port>`: every path answers the same way. */
  readonly url: string
  /** Requests answered 200 and 401. */
  readonly answered: { readonly ok: number; readonly unauthorized: number }
  /** Revokes every token presented to the API so far: each one is answered 401 from now on. */
  revokeAll(): void
  close(): Promise<void>
}

const CHALLENGE = 'Bearer realm="demo-api"'

/**
 * Starts a resource server that accepts a JWT access token when it is signed by the issuer's key,
 * names the audience, has not expired, and was not revoked. Answers 200 with the token's client and
 * scope, else 401 with a `WWW-Authenticate: Bearer` challenge (RFC 6750). A revocation covers the
 * tokens the API has seen: one issued but never presented is not on its list.
 */
export async function startApi(options: ApiOptions): Promise<EmbeddedApi> {
  const verify = cachedVerifier(options)
  const presented = new Set<string>()
  const revoked = new Set<string>()
  const answered = { ok: 0, unauthorized: 0 }

  const http = await listenOnLoopback((req, res) => {
    const request = { method: req.method ?? 'GET', path: req.url ?? '/' }
    const unauthorized = (error?: string): void => {
      answered.unauthorized++
      options.onAnswer?.({ ...request, status: 401, error })
      const challenge = error === undefined ? CHALLENGE : `${CHALLENGE}, error="${error}"`
      sendJson(res, 401, { error: error ?? 'unauthorized' }, { 'www-authenticate': challenge })
    }
    const token = bearerToken(req)
    if (token === undefined) return unauthorized()
    if (revoked.has(token)) return unauthorized('invalid_token')
    presented.add(token)
    verify(token).then(
      (claims) => {
        answered.ok++
        options.onAnswer?.({ ...request, status: 200 })
        sendJson(res, 200, { path: req.url, client_id: claims.client_id, scope: claims.scope })
      },
      () => unauthorized('invalid_token'),
    )
  })

  return {
    url: http.url,
    answered,
    revokeAll() {
      for (const token of presented) revoked.add(token)
      presented.clear()
    },
    close: () => http.close(),
  }
}

/**
 * Verifies each token's signature and claims once, then serves its claims from memory until it
 * expires, as resource servers commonly do.
 */
function cachedVerifier({ issuer, audience }: ApiOptions): (token: string) => Promise<JWTPayload> {
  const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`))
  const verified = new Map<string, Promise<JWTPayload>>()
  return async (token) => {
    let pending = verified.get(token)
    if (pending === undefined) {
      pending = jwtVerify(token, keys, { issuer, audience }).then(({ payload }) => payload)
      verified.set(token, pending)
      pending.then(
        ({ exp = 0 }) => setTimeout(() => verified.delete(token), Math.max(0, exp * 1000 - Date.now())).unref(),
        () => verified.delete(token),
      )
    }
    const claims = await pending
    if ((claims.exp ?? 0) * 1000 <= Date.now()) throw new Error('the token has expired')
    return claims
  }
}
