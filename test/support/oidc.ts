import { type Server, createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type TokenSource, clientCredentials } from '@tokenwarden/core'
import { exportJWK, generateKeyPair } from 'jose'
import Provider from 'oidc-provider'
import { memoryAdapter } from '../../demo/src/embedded/memory-adapter.ts'

/** A real OpenID provider (oidc-provider) on loopback, with one client_credentials client. */
export interface OidcProvider {
  readonly issuer: string
  readonly tokenEndpoint: string
  readonly clientId: string
  readonly clientSecret: string
  /** Whether `accessToken` is a live token the provider issued. */
  isActive(accessToken: string): Promise<boolean>
  /** Revokes a token the provider issued. */
  revoke(accessToken: string): Promise<void>
  /** How many tokens the token endpoint issued. */
  readonly issued: number
  close(): Promise<void>
}

/** Starts an {@link OidcProvider}: listens on 127.0.0.1:0 first, then creates the provider with that issuer. */
export async function startOidcProvider(options: { ttlSeconds?: number } = {}): Promise<OidcProvider> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clientId = 'conformance'
  const clientSecret = 'conformance-client-secret-0123456789'
  // Its own storage and signing key: oidc-provider's quick-start defaults print a warning each.
  const signing = await generateKeyPair('RS256', { extractable: true })
  const signingKey = { ...(await exportJWK(signing.privateKey)), kid: 'conformance-idp', alg: 'RS256', use: 'sig' }
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    jwks: { keys: [signingKey] as never },
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
    ttl: { ClientCredentials: options.ttlSeconds ?? 600 },
  })
  let issued = 0
  provider.on('client_credentials.saved', () => issued++)
  server.on('request', provider.callback())
  return {
    issuer,
    tokenEndpoint: `${issuer}/token`,
    clientId,
    clientSecret,
    async isActive(accessToken) {
      const token = await provider.ClientCredentials.find(accessToken)
      return token !== undefined && !token.isExpired
    },
    async revoke(accessToken) {
      await (await provider.ClientCredentials.find(accessToken))?.destroy()
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

/** The real `clientCredentials` source, discovering the provider from its issuer (client_secret_basic). */
export function clientCredentialsSource(provider: OidcProvider): TokenSource {
  return clientCredentials({ issuer: provider.issuer, clientId: provider.clientId, clientSecret: provider.clientSecret })
}
