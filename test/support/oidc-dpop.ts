import { randomBytes } from 'node:crypto'
import { type IncomingMessage, type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type JSONWebKeySet, exportJWK, generateKeyPair } from 'jose'
import Provider, { type ClientMetadata, type KoaContextWithOIDC, type errors } from 'oidc-provider'
import { memoryAdapter } from '../../demo/src/embedded/memory-adapter.ts'

/** The resource indicator (and so the `aud`) of a token requested without a `resource` parameter. */
export const DPOP_DEFAULT_RESOURCE = 'urn:tokenwarden:dpop-api'

/** The scopes every client of {@link startDpopProvider} may ask for. */
export const DPOP_SCOPES: readonly string[] = ['api.read', 'api.write']

/** A client registered at the provider (client_credentials, `client_secret_basic`). */
export interface DpopProviderClient {
  readonly clientId: string
  readonly clientSecret: string
}

/** One POST to the token endpoint, as the provider answered it. */
export interface TokenRequestRecord {
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
  /** The `token_type` of a success (`DPoP` or `Bearer`). */
  readonly tokenType: string | undefined
  /** The `DPoP-Nonce` header of the answer, if one was sent (on failures and successes alike). */
  readonly nonce: string | undefined
}

/** Options of {@link startDpopProvider}. */
export interface DpopProviderOptions {
  /** Whether the token endpoint demands a DPoP nonce (can be changed later through `requireNonce`). @default true */
  requireNonce?: boolean
  /** Lifetime of access tokens, in whole seconds. @default 600 */
  ttlSeconds?: number
  /** JWS algorithm of the JWT access tokens. @default 'ES256' */
  accessTokenAlg?: 'ES256' | 'RS256'
}

/**
 * A real OpenID provider (oidc-provider 9) on loopback with DPoP (RFC 9449) enabled: client_credentials
 * tokens are JWT access tokens (RFC 9068) for one resource, carrying `cnf.jkt` when the request had a proof.
 */
export interface DpopProvider {
  readonly issuer: string
  readonly tokenEndpoint: string
  /** Its public signing keys, to verify access tokens with (a resource server's view). */
  readonly jwks: JSONWebKeySet
  /** The resource indicator and `aud` of tokens requested without `resource` ({@link DPOP_DEFAULT_RESOURCE}). */
  readonly resource: string
  /** A client registered with `dpop_bound_access_tokens: true`: a token request without a proof fails. */
  readonly boundClient: DpopProviderClient
  /** A client without `dpop_bound_access_tokens`: DPoP with a proof, Bearer without one. */
  readonly client: DpopProviderClient
  /** Whether the token endpoint demands a DPoP nonce; settable at any time. */
  requireNonce: boolean
  /** Every POST to the token endpoint, in the order they were answered. */
  readonly tokenRequests: readonly TokenRequestRecord[]
  /** How many token requests were answered `use_dpop_nonce`. */
  readonly nonceRejections: number
  /** How many access tokens the provider issued. */
  readonly issued: number
  close(): Promise<void>
}

/**
 * Starts a {@link DpopProvider}: listens on 127.0.0.1:0 first, then creates the provider with that issuer.
 * `features.dPoP` has a random 32-byte `nonceSecret`; `features.resourceIndicators` defaults every
 * request to {@link DPOP_DEFAULT_RESOURCE} and accepts any absolute-URI resource, whose tokens are
 * JWTs with that `aud`.
 */
export async function startDpopProvider(options: DpopProviderOptions = {}): Promise<DpopProvider> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const ttl = options.ttlSeconds ?? 600
  const alg = options.accessTokenAlg ?? 'ES256'
  const boundClient = { clientId: 'dpop-bound', clientSecret: 'dpop-bound-client-secret-0123456789' }
  const client = { clientId: 'dpop-optional', clientSecret: 'dpop-optional-client-secret-0123456789' }
  // Its own storage and keys: oidc-provider's quick-start defaults print a warning each.
  const keys = await Promise.all(
    (['RS256', 'ES256'] as const).map(async (keyAlg) => {
      const pair = await generateKeyPair(keyAlg, { extractable: true })
      const kid = `dpop-idp-${keyAlg.toLowerCase()}`
      const meta = { kid, alg: keyAlg, use: 'sig' }
      return { private: { ...(await exportJWK(pair.privateKey)), ...meta }, public: { ...(await exportJWK(pair.publicKey)), ...meta } }
    }),
  )
  let requireNonce = options.requireNonce ?? true
  const registered = (entry: DpopProviderClient, bound: boolean): ClientMetadata => ({
    client_id: entry.clientId,
    client_secret: entry.clientSecret,
    grant_types: ['client_credentials'],
    redirect_uris: [],
    response_types: [],
    scope: DPOP_SCOPES.join(' '),
    token_endpoint_auth_method: 'client_secret_basic',
    dpop_bound_access_tokens: bound,
  })
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    jwks: { keys: keys.map((key) => key.private) as never },
    clients: [registered(boundClient, true), registered(client, false)],
    scopes: [...DPOP_SCOPES],
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: false },
      dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => requireNonce },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (_ctx, _client, oneOf) => oneOf ?? DPOP_DEFAULT_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource) => ({
          scope: DPOP_SCOPES.join(' '),
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl,
          jwt: { sign: { alg } },
        }),
      },
    },
    ttl: { ClientCredentials: ttl },
  })

  const tokenRequests: TokenRequestRecord[] = []
  const failures = new WeakMap<IncomingMessage, errors.OIDCProviderError>()
  const answered = new WeakMap<IncomingMessage, { clientId: string | undefined; tokenType: string | undefined }>()
  const clientOf = (ctx: KoaContextWithOIDC) => ctx.oidc?.client?.clientId
  provider.on('grant.error', (ctx, error) => {
    failures.set(ctx.req, error)
    answered.set(ctx.req, { clientId: clientOf(ctx), tokenType: undefined })
  })
  provider.on('grant.success', (ctx) => {
    const body = ctx.body as { token_type?: string }
    answered.set(ctx.req, { clientId: clientOf(ctx), tokenType: body.token_type })
  })
  let issued = 0
  // An opaque token is `saved`; a JWT access token is only `issued` (it is never stored).
  provider.on('client_credentials.saved', () => issued++)
  provider.on('client_credentials.issued', () => issued++)
  const callback = provider.callback()
  server.on('request', (req, res) => {
    if (req.method === 'POST' && new URL(req.url ?? '/', issuer).pathname === '/token') {
      res.once('finish', () => {
        const failure = failures.get(req)
        const nonce = res.getHeader('dpop-nonce')
        tokenRequests.push({
          clientId: answered.get(req)?.clientId,
          proof: req.headers.dpop !== undefined,
          status: res.statusCode,
          error: failure?.error,
          detail: failure?.error_detail ?? failure?.error_description,
          tokenType: answered.get(req)?.tokenType,
          nonce: typeof nonce === 'string' ? nonce : undefined,
        })
      })
    }
    callback(req, res)
  })

  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    jwks: { keys: keys.map((key) => key.public) },
    resource: DPOP_DEFAULT_RESOURCE,
    boundClient,
    client,
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
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
