import { genericGrantRequest } from 'openid-client'
import type { TokenSource } from '../source.ts'
import { oauthClient } from './oauth-client.ts'
import {
  type OAuthClientOptions,
  type StringProvider,
  type TokenRequestParams,
  buildParameters,
  checkParams,
  checkProvider,
  readProvided,
  requireObject,
  scopeList,
  stringList,
} from './oauth-options.ts'

/** The grant type of RFC 7523 §2.1, JWT bearer authorization grants. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer' as const

/** Options of {@link jwtBearer}. */
export interface JwtBearerOptions extends OAuthClientOptions {
  /** The JWT authorization grant, read at each acquisition (assertions are short-lived and often single-use). */
  assertion: StringProvider
  /** Scopes to request; the manager's `scopes` replace them. */
  scope?: string | readonly string[] | undefined
  /** RFC 8707 resource indicators. */
  resource?: string | readonly string[] | undefined
  /** Further parameters of the token request. */
  params?: TokenRequestParams | undefined
}

/**
 * The JWT bearer authorization grant (RFC 7523 §2.1): trades a signed JWT for an access token.
 * Client authentication is optional in RFC 7523; give none for a public client.
 *
 * It is the second step of the Identity Assertion JWT Authorization Grant (ID-JAG): the assertion
 * is an ID-JAG that {@link tokenExchange} obtained at the enterprise IdP with
 * `requestedTokenType: TokenTypes.idJag` (see the example there).
 *
 * @example
 * ```ts
 * jwtBearer({ tokenEndpoint: 'https://oauth2.googleapis.com/token', clientId, assertion: () => signServiceJwt() })
 * ```
 */
export function jwtBearer(options: JwtBearerOptions): TokenSource {
  requireObject(options, 'options')
  const client = oauthClient(options)
  const assertion = checkProvider(options.assertion, 'assertion', true) as StringProvider
  const resource = stringList(options.resource, 'resource')
  const own = { scope: scopeList(options.scope), params: checkParams(options.params) }
  return {
    kind: 'jwt-bearer',
    dpop: client.dpop,
    async acquire(ctx) {
      const value = await readProvided(assertion, ctx, 'assertion')
      const parameters = buildParameters(ctx, own, {
        assertion: value,
        resource: resource.length > 0 ? resource : undefined,
      })
      return client.request(ctx, (config, dpop) => genericGrantRequest(config, JWT_BEARER_GRANT_TYPE, parameters, dpop), [value])
    },
  }
}
