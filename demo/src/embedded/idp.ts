import { randomBytes } from 'node:crypto'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { type ClientMetadata, errors } from 'oidc-provider'
import { listenOnLoopback } from './loopback-server.ts'
import { memoryAdapter } from './memory-adapter.ts'

/** Options of {@link startIdp}. */
export interface IdpOptions {
  /** Lifetime in whole seconds of every access token. */
  tokenLifetime: number
  /** The API's identifier: every access token is a JWT with this audience. */
  audience: string
}

/** A running OpenID provider (oidc-provider) on 127.0.0.1, with an outage switch. */
export interface EmbeddedIdp {
  /** The issuer URL; discovery at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string
  /** A confidential client allowed the client credentials grant. */
  readonly service: { readonly clientId: string; readonly clientSecret: string }
  /** A public client allowed the device flow and refresh tokens (rotated at each use). */
  readonly cli: { readonly clientId: string }
  /** The oidc-provider instance, for what a test or an example must do behind the user's back. */
  readonly provider: Provider
  /** Starts (`true`) or ends (`false`) an outage: while down, every request gets a 503. */
  setDown(down: boolean): void
  close(): Promise<void>
}

const SERVICE = { clientId: 'demo-service', clientSecret: 'demo-service-secret-0123456789abcdef' } as const
const CLI = { clientId: 'demo-cli' } as const
const DEVICE_CODE = 'urn:ietf:params:oauth:grant-type:device_code'

/**
 * Starts oidc-provider on 127.0.0.1: client credentials, device flow, refresh-token rotation, and
 * JWT access tokens for one API (resource indicators, with that API as the default resource).
 */
export async function startIdp(options: IdpOptions): Promise<EmbeddedIdp> {
  const { tokenLifetime, audience } = options
  const http = await listenOnLoopback()
  const issuer = http.url
  const signing = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...(await exportJWK(signing.privateKey)), kid: 'demo-idp', alg: 'RS256', use: 'sig' }

  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: clients(),
    jwks: { keys: [signingKey] as never },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    scopes: ['openid', 'offline_access', 'api:read', 'api:write'],
    rotateRefreshToken: true,
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      deviceFlow: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new errors.InvalidTarget()
          return { scope: 'api:read api:write', audience, accessTokenFormat: 'jwt', accessTokenTTL: tokenLifetime }
        },
      },
    },
    ttl: {
      ClientCredentials: tokenLifetime,
      AccessToken: tokenLifetime,
      IdToken: 600,
      RefreshToken: 3600,
      DeviceCode: 600,
      Grant: 3600,
      Session: 3600,
      Interaction: 600,
    },
  })
  provider.on('server_error', (_ctx, error) => process.emitWarning(`oidc-provider server_error: ${error.message}`))
  const callback = provider.callback()

  let down = false
  http.server.on('request', (req, res) => {
    if (!down) return callback(req, res)
    res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable')
  })

  return {
    issuer,
    service: SERVICE,
    cli: CLI,
    provider,
    setDown(value) {
      down = value
    },
    close: () => http.close(),
  }
}

function clients(): ClientMetadata[] {
  return [
    {
      client_id: SERVICE.clientId,
      client_secret: SERVICE.clientSecret,
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      scope: 'api:read api:write',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: CLI.clientId,
      grant_types: [DEVICE_CODE, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'none',
    },
  ]
}
