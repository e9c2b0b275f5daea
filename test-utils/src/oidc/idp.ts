import { randomBytes } from 'node:crypto'
import type { IncomingMessage, RequestListener } from 'node:http'
import { type JSONWebKeySet, type JWK, SignJWT, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import Provider, { type ClientMetadata, type KoaContextWithOIDC, type TokenEndpointGrantContext, errors } from 'oidc-provider'
import { memoryAdapter } from '../../../demo/src/embedded/memory-adapter.ts'
import { listen } from '../http/listen.ts'

/** A client registered with a secret. */
export interface ClientSecretPair {
  readonly clientId: string
  readonly clientSecret: string
}

/** Client secrets, identifiers and the API the IdP knows. */
export const fixture: Readonly<{
  /** client_credentials, `client_secret_basic`. */
  basic: ClientSecretPair
  /** client_credentials, `client_secret_post`. */
  post: ClientSecretPair
  /** client_credentials, `private_key_jwt` with {@link Idp.clientKey}. */
  jwt: { clientId: string }
  /** The device authorization grant and refresh tokens (see `obtainDeviceGrant`). */
  device: ClientSecretPair
  /** client_credentials, token exchange and jwt-bearer. */
  exchanger: ClientSecretPair
  /** The only client allowed to introspect (what a resource server authenticates as). */
  resourceServer: ClientSecretPair
  /** client_credentials with `dpop_bound_access_tokens: true`: a token request without a DPoP proof fails. */
  dpopBound: ClientSecretPair
  /** client_credentials without `dpop_bound_access_tokens`: DPoP with a proof, Bearer without one. */
  dpopOptional: ClientSecretPair
  /** The resource indicator (and `aud`) of the JWT access tokens; the default resource of the DPoP clients. */
  api: string
}> = Object.freeze({
  basic: { clientId: 'svc-basic', clientSecret: 'basic-secret-0123456789abcdef' },
  post: { clientId: 'svc-post', clientSecret: 'post-secret-0123456789abcdef' },
  jwt: { clientId: 'svc-jwt' },
  device: { clientId: 'device-app', clientSecret: 'device-secret-0123456789abcdef' },
  exchanger: { clientId: 'exchanger', clientSecret: 'exchanger-secret-0123456789abcdef' },
  resourceServer: { clientId: 'resource-server', clientSecret: 'rs-secret-0123456789abcdef' },
  dpopBound: { clientId: 'dpop-bound', clientSecret: 'dpop-bound-client-secret-0123456789' },
  dpopOptional: { clientId: 'dpop-optional', clientSecret: 'dpop-optional-client-secret-0123456789' },
  api: 'https://api.example.test/',
})

/** Grant and token type identifiers the fixture registers or issues. */
export const TOKEN_EXCHANGE: string = 'urn:ietf:params:oauth:grant-type:token-exchange'
/** RFC 7523 jwt-bearer grant type. */
export const JWT_BEARER: string = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** RFC 8628 device code grant type. */
export const DEVICE_CODE: string = 'urn:ietf:params:oauth:grant-type:device_code'
/** The token type of an Identity Assertion JWT Authorization Grant. */
export const ID_JAG: string = 'urn:ietf:params:oauth:token-type:id-jag'

/** The scopes every client may ask for. */
const API_SCOPES = 'api:read api:write'
const DPOP_CLIENTS: ReadonlySet<string> = new Set([fixture.dpopBound.clientId, fixture.dpopOptional.clientId])

/** Options of {@link startIdp}. */
export interface IdpOptions {
  /** Lifetime in seconds of every access token. @default 600 */
  ttlSeconds?: number
  /** Rotates refresh tokens at each use. @default true */
  rotateRefreshToken?: boolean
  /** Checks a jwt-bearer assertion; returns the scope to grant. @default refuses every assertion */
  verifyAssertion?: (assertion: string) => Promise<string>
  /** Whether the token endpoint demands a DPoP nonce in proofs (settable later through `requireNonce`). @default true */
  requireNonce?: boolean
}

/** One POST to the token endpoint, as the provider answered it. */
export interface TokenRequestRecord {
  /** The form body. */
  readonly params: URLSearchParams
  /** The `Authorization` header, if any. */
  readonly authorization: string | undefined
  /** The authenticated client, when client authentication got that far. */
  readonly clientId: string | undefined
  /** Whether the request carried a `DPoP` header. */
  readonly proof: boolean
  /** The HTTP status of the answer. */
  readonly status: number
  /** The OAuth error code of a failure (`use_dpop_nonce`, `invalid_grant`, `invalid_dpop_proof`, …). */
  readonly error: string | undefined
  /**
   * Why the provider failed it, in its own words; for `invalid_grant` this is the detail it hides from
   * the client (which only sees "grant request is invalid"), e.g. "DPoP proof JWT not provided".
   */
  readonly detail: string | undefined
  /** The `token_type` of a success (`DPoP`, `Bearer`, `N_A`). */
  readonly tokenType: string | undefined
  /** The `DPoP-Nonce` header of the answer, if one was sent (on failures and successes alike). */
  readonly nonce: string | undefined
}

/** A running oidc-provider on 127.0.0.1, with the requests it received. */
export interface Idp {
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly provider: Provider
  /** Its public signing keys, to verify JWT access tokens with (a resource server's view). */
  readonly jwks: JSONWebKeySet
  /** The `aud` of its JWT access tokens ({@link fixture.api}). */
  readonly resource: string
  /** The public and private JWK of the `svc-jwt` client's key (RS256), and a PEM of it. */
  readonly clientKey: { privateJwk: JWK; pem: string; kid: string }
  /** Whether the token endpoint demands a DPoP nonce; settable at any time. */
  requireNonce: boolean
  /** Every POST to the token endpoint, in the order they were answered. */
  readonly tokenRequests: readonly TokenRequestRecord[]
  /** How many token requests were answered `use_dpop_nonce`. */
  readonly nonceRejections: number
  /** How many client-credentials tokens (client_credentials, token exchange, jwt-bearer) it issued, opaque or JWT. */
  readonly issued: number
  /** Every request received, as `METHOD /path`. */
  readonly requests: string[]
  /** What its introspection endpoint says of `token` to the resource-server client (RFC 7662). */
  introspect(token: string): Promise<Record<string, unknown>>
  /** Whether introspection says `token` is active. */
  isActive(token: string): Promise<boolean>
  /** Revokes a client-credentials token it issued (opaque ones only: a JWT is never stored). */
  revoke(token: string): Promise<void>
  /** Signs a JWT with the provider's own key (what an IdP signs an ID-JAG with). */
  sign(payload: Record<string, unknown>, typ: string): Promise<string>
  close(): Promise<void>
}

/**
 * Starts oidc-provider 9 on 127.0.0.1 (listening first, so the issuer can name the port) with client
 * credentials, introspection, device flow, refresh-token rotation, DPoP (RFC 9449, a nonce required
 * unless told otherwise), JWT access tokens for {@link fixture.api} (resource indicators; the DPoP
 * clients get them by default, the others opaque tokens unless they ask for it), and two registered
 * grants: token exchange and jwt-bearer.
 */
export async function startIdp(options: IdpOptions = {}): Promise<Idp> {
  const ttl = options.ttlSeconds ?? 600
  const tokenRequests: TokenRequestRecord[] = []
  const requests: string[] = []
  let handler: RequestListener | undefined
  const server = await listen((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    handler?.(req, res)
  })
  const issuer = server.origin

  // Its own storage and keys: oidc-provider's quick-start defaults print a warning each.
  const signing = await generateKeyPair('RS256', { extractable: true })
  const signingMeta = { kid: 'idp-key', alg: 'RS256', use: 'sig' }
  const signingJwk = { ...(await exportJWK(signing.privateKey)), ...signingMeta }
  const publicJwk = { ...(await exportJWK(signing.publicKey)), ...signingMeta }
  const client = await generateKeyPair('RS256', { extractable: true })
  const clientPrivate = { ...(await exportJWK(client.privateKey)), kid: 'client-key', alg: 'RS256' }
  const clientPublic = { ...(await exportJWK(client.publicKey)), kid: 'client-key', alg: 'RS256', use: 'sig' }
  let requireNonce = options.requireNonce ?? true

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(), // oidc-provider's own in-memory one prints a warning at start-up
    clients: clients(clientPublic),
    jwks: { keys: [signingJwk] as never },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: ['openid', 'offline_access', ...API_SCOPES.split(' ')],
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Only the resource server may introspect (the default policy prints a notice when it runs).
      introspection: { enabled: true, allowedPolicy: async (_ctx, client) => client.clientId === fixture.resourceServer.clientId },
      deviceFlow: { enabled: true },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => requireNonce },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client, oneOf) => (DPOP_CLIENTS.has(client?.clientId ?? '') ? (oneOf ?? fixture.api) : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== fixture.api) throw new errors.InvalidTarget()
          return { scope: API_SCOPES, audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttl }
        },
      },
    },
    ttl: { ClientCredentials: () => ttl, AccessToken: () => ttl, IdToken: 600, RefreshToken: 3600, DeviceCode: 600, Grant: 3600 },
  })
  provider.on('server_error', (_ctx, error) => {
    process.emitWarning(`oidc-provider server_error: ${error.message}`)
  })

  const failures = new WeakMap<IncomingMessage, errors.OIDCProviderError>()
  provider.on('grant.error', (ctx, error) => void failures.set(ctx.req, error))
  let issued = 0
  // An opaque token is `saved`; a JWT access token is only `issued` (it is never stored).
  provider.on('client_credentials.saved', () => issued++)
  provider.on('client_credentials.issued', () => issued++)
  provider.use(async (ctx, next) => {
    try {
      await next()
    } finally {
      if (ctx.method === 'POST' && ctx.path === '/token') tokenRequests.push(recordOf(ctx as KoaContextWithOIDC, failures.get(ctx.req)))
    }
  })
  registerGrants(provider, issuer, signing.privateKey, options.verifyAssertion)
  handler = provider.callback()

  const introspect = async (token: string): Promise<Record<string, unknown>> => {
    const { clientId, clientSecret } = fixture.resourceServer
    const response = await fetch(`${issuer}/token/introspection`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token }),
    })
    return (await response.json()) as Record<string, unknown>
  }

  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    provider,
    jwks: { keys: [publicJwk] },
    resource: fixture.api,
    clientKey: { privateJwk: clientPrivate, pem: await exportPKCS8(client.privateKey), kid: 'client-key' },
    get requireNonce() {
      return requireNonce
    },
    set requireNonce(required: boolean) {
      requireNonce = required
    },
    tokenRequests,
    get nonceRejections() {
      return tokenRequests.filter((request) => request.error === 'use_dpop_nonce').length
    },
    get issued() {
      return issued
    },
    requests,
    introspect,
    isActive: async (token) => (await introspect(token)).active === true,
    async revoke(token) {
      await (await provider.ClientCredentials.find(token))?.destroy()
    },
    sign: (payload, typ) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'idp-key', typ }).sign(signing.privateKey),
    close: server.close,
  }
}

/** A token endpoint answer as {@link Idp.tokenRequests} records it. */
function recordOf(ctx: KoaContextWithOIDC, failure: errors.OIDCProviderError | undefined): TokenRequestRecord {
  const form = (ctx.oidc?.body ?? {}) as Record<string, string | string[]>
  const body = (ctx.body ?? {}) as { error?: string; token_type?: string }
  const nonce = ctx.response.get('dpop-nonce')
  return {
    params: new URLSearchParams(Object.entries(form).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))),
    authorization: ctx.get('authorization') || undefined,
    clientId: ctx.oidc?.client?.clientId,
    proof: ctx.get('dpop') !== '',
    status: ctx.status,
    error: failure?.error ?? body.error,
    detail: failure === undefined ? undefined : (failure.error_detail ?? failure.error_description),
    tokenType: ctx.status === 200 ? body.token_type : undefined,
    nonce: nonce === '' ? undefined : nonce,
  }
}

function clients(clientPublic: JWK): ClientMetadata[] {
  const service = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: API_SCOPES }
  return [
    { ...service, client_id: fixture.basic.clientId, client_secret: fixture.basic.clientSecret, token_endpoint_auth_method: 'client_secret_basic' },
    { ...service, client_id: fixture.post.clientId, client_secret: fixture.post.clientSecret, token_endpoint_auth_method: 'client_secret_post' },
    { ...service, client_id: fixture.jwt.clientId, token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [clientPublic as never] } },
    {
      client_id: fixture.device.clientId,
      client_secret: fixture.device.clientSecret,
      grant_types: [DEVICE_CODE, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      ...service,
      client_id: fixture.exchanger.clientId,
      client_secret: fixture.exchanger.clientSecret,
      grant_types: ['client_credentials', TOKEN_EXCHANGE, JWT_BEARER],
    },
    { ...service, client_id: fixture.resourceServer.clientId, client_secret: fixture.resourceServer.clientSecret },
    { ...service, client_id: fixture.dpopBound.clientId, client_secret: fixture.dpopBound.clientSecret, dpop_bound_access_tokens: true },
    { ...service, client_id: fixture.dpopOptional.clientId, client_secret: fixture.dpopOptional.clientSecret },
  ]
}

/**
 * Token exchange: a subject token must be an access token this provider issued (client credentials);
 * the answer is an ID-JAG (a JWT with `token_type` `N_A`) when one is requested, else a new access
 * token. jwt-bearer: the assertion goes to `verifyAssertion`, and a new access token is issued.
 */
function registerGrants(
  provider: Provider,
  issuer: string,
  key: CryptoKey,
  verifyAssertion: IdpOptions['verifyAssertion'],
): void {
  const issue = async (ctx: TokenEndpointGrantContext, scope: string, extra: Record<string, unknown> = {}): Promise<void> => {
    const token = new provider.ClientCredentials({ client: ctx.oidc.client, scope })
    const value = await token.save()
    ctx.body = { access_token: value, token_type: 'Bearer', expires_in: token.expiration, scope, ...extra }
  }
  provider.registerGrantType(
    TOKEN_EXCHANGE,
    async (ctx) => {
      const { subject_token: subject, requested_token_type: requested, audience } = ctx.oidc.params as Record<string, unknown>
      const found = typeof subject === 'string' ? await provider.ClientCredentials.find(subject) : undefined
      if (found === undefined) throw new errors.InvalidGrant('subject token is not active')
      if (requested === ID_JAG) {
        const now = Math.floor(Date.now() / 1000)
        const assertion = await new SignJWT({ client_id: ctx.oidc.client.clientId, scope: 'api:read', resource: fixture.api })
          .setProtectedHeader({ alg: 'RS256', kid: 'idp-key', typ: 'oauth-id-jag+jwt' })
          .setIssuer(issuer)
          .setSubject(`user-of-${found.clientId}`)
          .setAudience(String(audience))
          .setJti(crypto.randomUUID())
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .sign(key)
        ctx.body = { access_token: assertion, issued_token_type: ID_JAG, token_type: 'N_A', expires_in: 300 }
        return
      }
      await issue(ctx, 'api:read', { issued_token_type: 'urn:ietf:params:oauth:token-type:access_token' })
    },
    ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience', 'scope'],
    ['audience'],
  )
  provider.registerGrantType(
    JWT_BEARER,
    async (ctx) => {
      const { assertion } = ctx.oidc.params as Record<string, unknown>
      if (typeof assertion !== 'string' || verifyAssertion === undefined) throw new errors.InvalidGrant('assertion refused')
      let scope: string
      try {
        scope = await verifyAssertion(assertion)
      } catch {
        throw new errors.InvalidGrant('assertion refused')
      }
      await issue(ctx, scope)
    },
    ['assertion', 'scope'],
  )
}
