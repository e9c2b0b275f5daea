import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type JWK, SignJWT, exportJWK, exportPKCS8, generateKeyPair } from 'jose'
import Provider, { type ClientMetadata, type KoaContextWithOIDC, type TokenEndpointGrantContext, errors } from 'oidc-provider'
import { memoryAdapter } from '../../../../../demo/src/embedded/memory-adapter.ts'

/** Client secrets, identifiers and the API the fixture knows. */
export const fixture: Readonly<{
  basic: { clientId: string; clientSecret: string }
  post: { clientId: string; clientSecret: string }
  jwt: { clientId: string }
  device: { clientId: string; clientSecret: string }
  exchanger: { clientId: string; clientSecret: string }
  resourceServer: { clientId: string; clientSecret: string }
  api: string
}> = Object.freeze({
  basic: { clientId: 'svc-basic', clientSecret: 'basic-secret-0123456789abcdef' },
  post: { clientId: 'svc-post', clientSecret: 'post-secret-0123456789abcdef' },
  jwt: { clientId: 'svc-jwt' },
  device: { clientId: 'device-app', clientSecret: 'device-secret-0123456789abcdef' },
  exchanger: { clientId: 'exchanger', clientSecret: 'exchanger-secret-0123456789abcdef' },
  resourceServer: { clientId: 'resource-server', clientSecret: 'rs-secret-0123456789abcdef' },
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

/** Options of {@link startIdp}. */
export interface IdpOptions {
  /** Lifetime in seconds of every access token. @default 600 */
  ttl?: number
  /** Rotates refresh tokens at each use. @default true */
  rotateRefreshToken?: boolean
  /** Checks a jwt-bearer assertion; returns the scope to grant. @default refuses every assertion */
  verifyAssertion?: (assertion: string) => Promise<string>
}

/** A running oidc-provider on 127.0.0.1, with the requests it received. */
export interface Idp {
  readonly issuer: string
  readonly provider: Provider
  /** The public and private JWK of the `svc-jwt` client's key (RS256), and a PEM of it. */
  readonly clientKey: { privateJwk: JWK; pem: string; kid: string }
  /** Form bodies of the token requests received, in order. */
  readonly tokenRequests: URLSearchParams[]
  /** `Authorization` headers of the token requests received, in order. */
  readonly tokenAuthorizations: (string | undefined)[]
  /** Every request received, as `METHOD /path`. */
  readonly requests: string[]
  /** Signs a JWT with the provider's own key (what an IdP signs an ID-JAG with). */
  sign(payload: Record<string, unknown>, typ: string): Promise<string>
  close(): Promise<void>
}

/**
 * Starts oidc-provider on 127.0.0.1 (listening first, so the issuer can name the port) with client
 * credentials, introspection, device flow, refresh-token rotation, JWT access tokens for
 * {@link fixture.api} (resource indicators), and two registered grants: token exchange and jwt-bearer.
 */
export async function startIdp(options: IdpOptions = {}): Promise<Idp> {
  const ttl = options.ttl ?? 600
  const tokenRequests: URLSearchParams[] = []
  const tokenAuthorizations: (string | undefined)[] = []
  const requests: string[] = []
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    if (req.method === 'POST' && req.url === '/token') tokenAuthorizations.push(req.headers.authorization)
    handler?.(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  const signing = await generateKeyPair('RS256', { extractable: true })
  const signingJwk = { ...(await exportJWK(signing.privateKey)), kid: 'idp-key', alg: 'RS256', use: 'sig' }
  const client = await generateKeyPair('RS256', { extractable: true })
  const clientPrivate = { ...(await exportJWK(client.privateKey)), kid: 'client-key', alg: 'RS256' }
  const clientPublic = { ...(await exportJWK(client.publicKey)), kid: 'client-key', alg: 'RS256', use: 'sig' }

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(), // oidc-provider's own in-memory one prints a warning at start-up
    clients: clients(clientPublic),
    jwks: { keys: [signingJwk] as never },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // Only the resource server may introspect (the default policy prints a notice when it runs).
      introspection: { enabled: true, allowedPolicy: async (_ctx, client) => client.clientId === fixture.resourceServer.clientId },
      deviceFlow: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== fixture.api) throw new errors.InvalidTarget()
          return { scope: 'api:read api:write', audience: resource, accessTokenFormat: 'jwt', accessTokenTTL: ttl }
        },
      },
    },
    ttl: { ClientCredentials: () => ttl, AccessToken: () => ttl, IdToken: 600, RefreshToken: 3600, DeviceCode: 600, Grant: 3600 },
  })
  provider.on('server_error', (_ctx, error) => {
    process.emitWarning(`oidc-provider server_error: ${error.message}`)
  })
  provider.use(async (ctx, next) => {
    await next()
    if (ctx.method !== 'POST' || ctx.path !== '/token') return
    const body = ((ctx as KoaContextWithOIDC).oidc?.body ?? {}) as Record<string, string | string[]>
    tokenRequests.push(new URLSearchParams(Object.entries(body).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))))
  })
  registerGrants(provider, issuer, signing.privateKey, options.verifyAssertion)
  handler = provider.callback()

  return {
    issuer,
    provider,
    clientKey: { privateJwk: clientPrivate, pem: await exportPKCS8(client.privateKey), kid: 'client-key' },
    tokenRequests,
    tokenAuthorizations,
    requests,
    sign: (payload, typ) =>
      new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: 'idp-key', typ }).sign(signing.privateKey),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function clients(clientPublic: JWK): ClientMetadata[] {
  const service = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: 'api:read api:write' }
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
