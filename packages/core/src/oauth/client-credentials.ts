import { clientCredentialsGrant } from 'openid-client'
import type { TokenSource } from '../source.ts'
import { oauthClient } from './oauth-client.ts'
import {
  type OAuthClientOptions,
  type TokenRequestParams,
  buildParameters,
  checkParams,
  requireObject,
  scopeList,
  stringList,
} from './oauth-options.ts'

/** Options of {@link clientCredentials}. */
export interface ClientCredentialsOptions extends OAuthClientOptions {
  /** Scopes to request; the manager's `scopes` (and `upgradeScopes`) replace them. @default none */
  scope?: string | readonly string[] | undefined
  /** RFC 8707 resource indicators (`resource`, repeated for a list). */
  resource?: string | readonly string[] | undefined
  /** The `audience` parameter some servers use instead of `resource` (Auth0, Okta). */
  audience?: string | readonly string[] | undefined
  /** Further parameters of the token request; the options above win over a parameter of the same name. */
  params?: TokenRequestParams | undefined
}

/**
 * The OAuth 2.0 client credentials grant (RFC 6749 §4.4), through openid-client: a service's own
 * token. Every request goes through the per-origin queue (see {@link setTokenEndpointConcurrency}),
 * honours the manager's signal and a per-request timeout, and fails with a
 * {@link TokenEndpointError} the manager's retry policy reads.
 *
 * @example
 * ```ts
 * const graph = new TokenManager({
 *   name: 'graph',
 *   origins: ['https://graph.microsoft.com'],
 *   source: clientCredentials({
 *     issuer: 'https://login.microsoftonline.com/<tenant>/v2.0',
 *     clientId: process.env.CLIENT_ID!,
 *     clientSecret: process.env.CLIENT_SECRET!,
 *     scope: 'https://graph.microsoft.com/.default',
 *   }),
 * })
 * ```
 *
 * @example Workload identity federation: a Kubernetes projected service-account token, read afresh each time
 * ```ts
 * clientCredentials({
 *   issuer, clientId,
 *   clientAssertion: () => readFile('/var/run/secrets/tokens/idp-token', 'utf8'),
 * })
 * ```
 */
export function clientCredentials(options: ClientCredentialsOptions): TokenSource {
  requireObject(options, 'options')
  const client = oauthClient(options)
  const own = { scope: scopeList(options.scope), params: checkParams(options.params) }
  const resource = stringList(options.resource, 'resource')
  const audience = stringList(options.audience, 'audience')
  return {
    kind: 'client-credentials',
    dpop: client.dpop,
    acquire(ctx) {
      const parameters = buildParameters(ctx, own, {
        resource: resource.length > 0 ? resource : undefined,
        audience: audience.length > 0 ? audience : undefined,
      })
      return client.request(ctx, (config, dpop) => clientCredentialsGrant(config, parameters, dpop), [])
    },
  }
}
