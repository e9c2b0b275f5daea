import { createHash, randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  EmbeddedJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTPayload,
  calculateJwkThumbprint,
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  jwtVerify,
} from 'jose'
import { type LoopbackServer, listen, readBody } from './listen.ts'

/**
 * The check a request failed, in the order they are made:
 * - `no-token`: no `Authorization: DPoP …` (nor `Bearer …` when Bearer is accepted);
 * - `bearer-scheme`: the `Bearer` scheme where DPoP is required (always, or for a `cnf`-bound token);
 * - `missing-proof` / `multiple-proofs`: not exactly one `DPoP` header field, or one with a comma;
 * - `proof-typ` / `proof-alg` / `proof-jwk` / `proof-signature` / `proof-claims`: the proof JWT itself
 *   (`typ: dpop+jwt`; an asymmetric algorithm; a public `jwk`; its signature; `jti`, `iat`, `htm`, `htu` present);
 * - `htm` / `htu` / `iat` / `ath`: the proof against the request (method; scheme, host and path, no query or
 *   fragment; issued within the window; the access token's hash);
 * - `access-token`: the access token (signature with the provider's JWKS, `iss`, `aud`, `exp`, `typ: at+jwt`);
 * - `unbound-token`: the `DPoP` scheme with a token that has no `cnf.jkt`;
 * - `cnf.jkt`: the token is bound to another key than the proof's;
 * - `nonce`: the server's own nonce is required and the proof lacks it (or carries a stale one);
 * - `jti-replay`: a proof seen before, within the window.
 */
export type DpopCheck =
  | 'no-token'
  | 'bearer-scheme'
  | 'missing-proof'
  | 'multiple-proofs'
  | 'proof-typ'
  | 'proof-alg'
  | 'proof-jwk'
  | 'proof-signature'
  | 'proof-claims'
  | 'htm'
  | 'htu'
  | 'iat'
  | 'ath'
  | 'access-token'
  | 'unbound-token'
  | 'cnf.jkt'
  | 'nonce'
  | 'jti-replay'

/** The OAuth error code of a rejection (none when the request carried no token at all). */
export type DpopError = 'invalid_token' | 'invalid_dpop_proof' | 'use_dpop_nonce'

/** One request as the resource server saw and judged it; `/echo` answers it as JSON. */
export interface DpopRecordedRequest {
  readonly method: string
  /** Path and query, as received. */
  readonly path: string
  /** The status the server answered. */
  readonly status: number
  /** The scheme of the `Authorization` header as sent (`DPoP`, `Bearer`, …), if any. */
  readonly scheme: string | undefined
  /** The access token of that header, if any. */
  readonly token: string | undefined
  /** Whether a `DPoP` header came. */
  readonly proof: boolean
  /** How many `DPoP` header fields came. */
  readonly proofs: number
  /** The (first) proof's `htm`, read whether or not the proof passed the checks (so are the next four). */
  readonly htm: string | undefined
  /** The proof's `htu`. */
  readonly htu: string | undefined
  /** The proof's `jti`. */
  readonly jti: string | undefined
  /** The proof's `nonce`. */
  readonly nonce: string | undefined
  /** The JWK thumbprint (SHA-256) of the proof's `jwk`. */
  readonly jkt: string | undefined
  /** The error code of a rejection. */
  readonly error: DpopError | undefined
  /** The check a rejected request failed. */
  readonly reason: DpopCheck | undefined
  /** Why it was rejected, in words; sent as `error_description` when there is an error code. */
  readonly description: string | undefined
  /** The `DPoP-Nonce` header of the answer, if one was sent. */
  readonly nonceSent: string | undefined
  /** The request body as text. */
  readonly body: string
}

/** The authorization server whose tokens a {@link DpopResourceServer} accepts (a `DpopProvider` fits). */
export interface DpopTrustedIssuer {
  readonly issuer: string
  /** Public keys that sign its access tokens. */
  readonly jwks: JSONWebKeySet
  /** The `aud` its tokens for this server carry. */
  readonly resource: string
}

/** Options of {@link startDpopResourceServer}. */
export interface DpopResourceServerOptions {
  /** Whose access tokens it accepts. */
  authorizationServer: DpopTrustedIssuer
  /** The `aud` an access token must carry. @default authorizationServer.resource */
  audience?: string
  /** Also accept `Authorization: Bearer` with a token that has no `cnf` (a token issued as Bearer). @default false */
  acceptBearer?: boolean
  /** Whether it demands its own nonce in proofs (settable later through `requireNonce`). @default false */
  requireNonce?: boolean
  /** When a nonce is required, a 2xx whose proof carried the previous nonce also carries the current one. @default true */
  nonceOnSuccess?: boolean
  /** How far a proof's `iat` may be from now, and how long a `jti` is remembered, in seconds. @default 60 */
  iatWindowSeconds?: number
  /** The proof algorithms it accepts (asymmetric only), also sent as `algs`. @default ES, PS, RS 256–512, EdDSA, Ed25519 */
  algorithms?: readonly string[]
}

/**
 * A loopback resource server (`node:http` on 127.0.0.1, port 0) that judges DPoP (RFC 9449) as a real one
 * does: every {@link DpopCheck}, then 200 with the JSON {@link DpopRecordedRequest}. Failures answer 401
 * with `WWW-Authenticate: DPoP error="…", error_description="…", algs="…"` (`Bearer …` for a Bearer
 * request when Bearer is accepted); a missing nonce adds `DPoP-Nonce`. Routes:
 * - `/redirect?to=<url>&status=307`: redirects without checking anything (the request is still recorded);
 * - anything else (`/echo`): judged, then the record as JSON.
 *
 * `url(path)` defaults to `/echo`.
 */
export interface DpopResourceServer extends LoopbackServer {
  /** Every request, in the order they were answered. */
  readonly requests: readonly DpopRecordedRequest[]
  /** Whether proofs must carry its nonce; settable at any time. */
  requireNonce: boolean
  /** The nonce it currently hands out. */
  readonly nonce: string
  /**
   * Replaces the nonce (returned). The previous one stays acceptable unless `acceptPrevious: false`; a
   * success with it then carries the new one in `DPoP-Nonce` (see `nonceOnSuccess`).
   */
  rotateNonce(options?: { acceptPrevious?: boolean }): string
  /** Refuses `token` from now on (401 `DPoP error="invalid_token"`), as a revoked token. */
  revoke(token: string): void
  close(): Promise<void>
}

const DEFAULT_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA', 'Ed25519']
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** A failed check: the status line, challenge and record fields follow from it. */
class Rejection {
  constructor(
    readonly reason: DpopCheck,
    readonly error: DpopError | undefined,
    readonly description: string,
  ) {}
}

/** Starts a {@link DpopResourceServer}. */
export async function startDpopResourceServer(options: DpopResourceServerOptions): Promise<DpopResourceServer> {
  const { issuer } = options.authorizationServer
  const audience = options.audience ?? options.authorizationServer.resource
  const keys = createLocalJWKSet(options.authorizationServer.jwks)
  const acceptBearer = options.acceptBearer ?? false
  const nonceOnSuccess = options.nonceOnSuccess ?? true
  const windowSeconds = options.iatWindowSeconds ?? 60
  const algorithms = [...(options.algorithms ?? DEFAULT_ALGORITHMS)]
  const algs = `algs="${algorithms.join(' ')}"`
  const newNonce = () => randomBytes(16).toString('base64url')
  let requireNonce = options.requireNonce ?? false
  let nonce = newNonce()
  let previousNonce: string | undefined
  const seenJtis = new Map<string, number>()
  const revoked = new Set<string>()
  const requests: DpopRecordedRequest[] = []

  /**
   * Rules: the checks run in the order of {@link DpopCheck}; the first failure answers. The nonce is
   * checked after every other property of the proof, and the `jti` is remembered only once the nonce
   * passed, so a nonce retry is never taken for a replay.
   */
  const judge = async (
    req: IncomingMessage,
    scheme: string | undefined,
    token: string | undefined,
    proofs: string[],
    proof: ProofView | undefined,
  ): Promise<{ nonceSent?: string } | Rejection> => {
    const isBearer = scheme?.toLowerCase() === 'bearer'
    if (token === undefined || !(scheme?.toLowerCase() === 'dpop' || (isBearer && acceptBearer))) {
      if (isBearer && token !== undefined) {
        return new Rejection('bearer-scheme', 'invalid_token', 'the Bearer scheme is not accepted: use DPoP')
      }
      return new Rejection('no-token', undefined, 'no DPoP access token')
    }
    if (isBearer) {
      const claims = await verifyAccessToken(token)
      if (claims instanceof Rejection) return claims
      if (jktOf(claims) !== undefined) {
        return new Rejection('bearer-scheme', 'invalid_token', 'a DPoP-bound token sent with the Bearer scheme')
      }
      return {}
    }
    if (proofs.length === 0) return new Rejection('missing-proof', 'invalid_dpop_proof', 'no DPoP proof')
    if (proofs.length > 1 || proofs[0]?.includes(',')) {
      return new Rejection('multiple-proofs', 'invalid_dpop_proof', 'more than one DPoP proof')
    }
    const verified = await verifyProof(proofs[0] as string, proof)
    if (verified instanceof Rejection) return verified
    const requested = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`)
    if (verified.htm !== req.method) {
      return new Rejection('htm', 'invalid_dpop_proof', `htm mismatch: proof ${verified.htm}, request ${req.method}`)
    }
    const htu = URL.parse(verified.htu)
    if (htu === null || /[?#]/.test(verified.htu)) {
      return new Rejection('htu', 'invalid_dpop_proof', 'htu is not a URL without query and fragment')
    }
    if (htu.origin + htu.pathname !== requested.origin + requested.pathname) {
      const [proven, sent] = [htu.origin + htu.pathname, requested.origin + requested.pathname]
      return new Rejection('htu', 'invalid_dpop_proof', `htu mismatch: proof ${proven}, request ${sent}`)
    }
    const now = Math.floor(Date.now() / 1000)
    if (Math.abs(now - verified.iat) > windowSeconds) {
      return new Rejection('iat', 'invalid_dpop_proof', `iat is ${verified.iat - now} s from now`)
    }
    if (verified.ath !== accessTokenHash(token)) {
      return new Rejection('ath', 'invalid_dpop_proof', 'ath does not match the access token')
    }
    const claims = await verifyAccessToken(token)
    if (claims instanceof Rejection) return claims
    const jkt = jktOf(claims)
    if (jkt === undefined) return new Rejection('unbound-token', 'invalid_token', 'the access token is not DPoP-bound')
    if (jkt !== proof?.jkt) return new Rejection('cnf.jkt', 'invalid_token', 'cnf.jkt does not match the proof key')
    const accepted = verified.nonce !== undefined && (verified.nonce === nonce || verified.nonce === previousNonce)
    if (requireNonce && !accepted) {
      const description = verified.nonce === undefined ? 'a DPoP nonce is required' : 'stale DPoP nonce'
      return new Rejection('nonce', 'use_dpop_nonce', description)
    }
    for (const [jti, until] of seenJtis) if (until < now) seenJtis.delete(jti)
    if (seenJtis.has(verified.jti)) return new Rejection('jti-replay', 'invalid_dpop_proof', 'jti replay')
    seenJtis.set(verified.jti, now + 2 * windowSeconds)
    return requireNonce && nonceOnSuccess && verified.nonce !== nonce ? { nonceSent: nonce } : {}
  }

  const verifyAccessToken = async (token: string): Promise<JWTPayload | Rejection> => {
    if (revoked.has(token)) return new Rejection('access-token', 'invalid_token', 'the access token was revoked')
    try {
      return (await jwtVerify(token, keys, { issuer, audience, typ: 'at+jwt' })).payload
    } catch (error) {
      return new Rejection('access-token', 'invalid_token', `access token rejected: ${(error as Error).message}`)
    }
  }

  const verifyProof = async (jwt: string, view: ProofView | undefined): Promise<VerifiedProof | Rejection> => {
    const header = view?.header
    if (header?.typ !== 'dpop+jwt') return new Rejection('proof-typ', 'invalid_dpop_proof', 'proof typ is not dpop+jwt')
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
      return new Rejection('proof-alg', 'invalid_dpop_proof', 'proof alg is not an accepted asymmetric algorithm')
    }
    const jwk = header.jwk
    if (typeof jwk !== 'object' || jwk === null || PRIVATE_JWK_MEMBERS.some((member) => member in jwk)) {
      return new Rejection('proof-jwk', 'invalid_dpop_proof', 'proof jwk is missing or not a public key')
    }
    let payload: JWTPayload
    try {
      payload = (await jwtVerify(jwt, EmbeddedJWK, { typ: 'dpop+jwt', algorithms })).payload
    } catch (error) {
      return new Rejection('proof-signature', 'invalid_dpop_proof', `proof rejected: ${(error as Error).message}`)
    }
    const { jti, iat, htm, htu, ath, nonce: proofNonce } = payload as Record<string, unknown>
    const complete = typeof jti === 'string' && jti !== '' && typeof iat === 'number' && typeof htm === 'string' && typeof htu === 'string'
    if (!complete || (proofNonce !== undefined && typeof proofNonce !== 'string')) {
      return new Rejection('proof-claims', 'invalid_dpop_proof', 'proof lacks jti, iat, htm or htu, or has a non-string nonce')
    }
    return { jti, iat, htm, htu, ath: typeof ath === 'string' ? ath : undefined, nonce: proofNonce }
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = (await readBody(req)).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://x')
    const [, scheme, token] = /^(\S+) +(\S+)\s*$/.exec(req.headers.authorization ?? '') ?? []
    const raw = req.rawHeaders
    const proofs = raw.filter((_, i) => i % 2 === 1 && raw[i - 1]?.toLowerCase() === 'dpop')
    const view = proofs[0] === undefined ? undefined : await readProof(proofs[0])
    const answer = (status: number, rejection: Rejection | undefined, nonceSent: string | undefined): DpopRecordedRequest => {
      const entry: DpopRecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        status,
        scheme,
        token,
        proof: proofs.length > 0,
        proofs: proofs.length,
        htm: claim(view, 'htm'),
        htu: claim(view, 'htu'),
        jti: claim(view, 'jti'),
        nonce: claim(view, 'nonce'),
        jkt: view?.jkt,
        error: rejection?.error,
        reason: rejection?.reason,
        description: rejection?.description,
        nonceSent,
        body,
      }
      requests.push(entry)
      return entry
    }
    if (url.pathname === '/redirect') {
      const status = Number(url.searchParams.get('status') ?? 307)
      answer(status, undefined, undefined)
      res.writeHead(status, { location: url.searchParams.get('to') ?? '/echo' }).end()
      return
    }
    const judged = await judge(req, scheme, token, proofs, view)
    if (judged instanceof Rejection) {
      const nonceSent = judged.error === 'use_dpop_nonce' ? nonce : undefined
      answer(401, judged, nonceSent)
      res.writeHead(401, {
        'www-authenticate': challenge(judged, scheme?.toLowerCase() === 'bearer' && acceptBearer),
        'content-type': 'text/plain',
        ...(nonceSent === undefined ? {} : { 'dpop-nonce': nonceSent }),
      })
      res.end(`unauthorized: ${judged.description}`)
      return
    }
    const entry = answer(200, undefined, judged.nonceSent)
    const nonceHeader = judged.nonceSent === undefined ? {} : { 'dpop-nonce': judged.nonceSent }
    res.writeHead(200, { 'content-type': 'application/json', ...nonceHeader })
    res.end(JSON.stringify(entry))
  }

  const challenge = (rejection: Rejection, bearer: boolean): string => {
    if (rejection.error === undefined) return acceptBearer ? `DPoP ${algs}, Bearer realm="dpop-resource-server"` : `DPoP ${algs}`
    const params = `error="${rejection.error}", error_description="${rejection.description.replaceAll('"', "'")}"`
    return bearer ? `Bearer ${params}` : `DPoP ${params}, ${algs}`
  }

  const server = await listen((req, res) => {
    handle(req, res).catch((error: unknown) => res.destroy(error as Error))
  })

  return {
    ...server,
    url: (path = '/echo') => server.url(path),
    requests,
    get requireNonce() {
      return requireNonce
    },
    set requireNonce(required: boolean) {
      requireNonce = required
    },
    get nonce() {
      return nonce
    },
    revoke(token) {
      revoked.add(token)
    },
    rotateNonce({ acceptPrevious = true } = {}) {
      previousNonce = acceptPrevious ? nonce : undefined
      nonce = newNonce()
      return nonce
    },
    close: server.close,
  }
}

/** A proof as read before any check: its header, claims and key thumbprint, when it decodes. */
interface ProofView {
  readonly header: Record<string, unknown>
  readonly claims: Record<string, unknown>
  readonly jkt: string | undefined
}

/** The claims of a proof that passed the signature check. */
interface VerifiedProof {
  readonly jti: string
  readonly iat: number
  readonly htm: string
  readonly htu: string
  readonly ath: string | undefined
  readonly nonce: string | undefined
}

/** The `ath` of a DPoP proof for `accessToken`: base64url(SHA-256(token)). */
export function accessTokenHash(accessToken: string): string {
  return createHash('sha256').update(accessToken).digest('base64url')
}

async function readProof(jwt: string): Promise<ProofView | undefined> {
  try {
    const header = decodeProtectedHeader(jwt) as Record<string, unknown>
    const claims = decodeJwt(jwt) as Record<string, unknown>
    const jwk = header.jwk
    const jkt = typeof jwk === 'object' && jwk !== null ? await calculateJwkThumbprint(jwk as JWK).catch(() => undefined) : undefined
    return { header, claims, jkt }
  } catch {
    return undefined
  }
}

function claim(view: ProofView | undefined, name: string): string | undefined {
  const value = view?.claims[name]
  return typeof value === 'string' ? value : undefined
}

function jktOf(claims: JWTPayload): string | undefined {
  const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt
  return typeof jkt === 'string' ? jkt : undefined
}
