import { genericGrantRequest } from 'openid-client'
import { invalidOption } from '../errors.ts'
import type { TokenSource } from '../source.ts'
import { oauthClient } from './oauth-client.ts'
import {
  type OAuthClientOptions,
  type StringProvider,
  type TokenRequestParams,
  buildParameters,
  checkParams,
  checkProvider,
  optionalString,
  readProvided,
  requireObject,
  requireString,
  scopeList,
  stringList,
} from './oauth-options.ts'

/** The grant type of RFC 8693 token exchange. */
export const TOKEN_EXCHANGE_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:token-exchange' as const

/**
 * Token type identifiers of RFC 8693 §3, plus `id-jag`, the Identity Assertion JWT Authorization
 * Grant of the IETF draft "Identity Assertion Authorization Grant".
 */
export const TokenTypes: Readonly<{
  accessToken: 'urn:ietf:params:oauth:token-type:access_token'
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token'
  idToken: 'urn:ietf:params:oauth:token-type:id_token'
  jwt: 'urn:ietf:params:oauth:token-type:jwt'
  saml2: 'urn:ietf:params:oauth:token-type:saml2'
  idJag: 'urn:ietf:params:oauth:token-type:id-jag'
}> = Object.freeze({
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  refreshToken: 'urn:ietf:params:oauth:token-type:refresh_token',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  saml2: 'urn:ietf:params:oauth:token-type:saml2',
  idJag: 'urn:ietf:params:oauth:token-type:id-jag',
})

/** Options of {@link tokenExchange}. */
export interface TokenExchangeOptions extends OAuthClientOptions {
  /** The token to exchange, read at each acquisition. */
  subjectToken: StringProvider
  /** Its type, e.g. {@link TokenTypes}.accessToken or `.idToken`. */
  subjectTokenType: string
  /** A token of the party acting for the subject (delegation), read at each acquisition. */
  actorToken?: StringProvider | undefined
  /** Its type; required with `actorToken`. */
  actorTokenType?: string | undefined
  /** The type of token wanted, e.g. {@link TokenTypes}.idJag. @default the server's choice */
  requestedTokenType?: string | undefined
  /** Logical names of the target services. */
  audience?: string | readonly string[] | undefined
  /** URIs of the target resources. */
  resource?: string | readonly string[] | undefined
  /** Scopes to request; the manager's `scopes` replace them. */
  scope?: string | readonly string[] | undefined
  /** Further parameters of the token request. */
  params?: TokenRequestParams | undefined
}

/**
 * OAuth 2.0 Token Exchange (RFC 8693): trades a token the caller holds (`subjectToken`, read afresh
 * at each acquisition) for one meant for another audience. A token issued with `token_type` `N_A`
 * (not an access token, such as an ID-JAG) keeps that type on the grant.
 *
 * With {@link jwtBearer} it composes the Identity Assertion JWT Authorization Grant (ID-JAG):
 * 1. at the enterprise IdP, exchange the user's ID token for an ID-JAG:
 *    `requestedTokenType: TokenTypes.idJag`, `audience` the resource's authorization server,
 *    `resource` the API;
 * 2. at the resource's authorization server, present that ID-JAG as a `jwt-bearer` assertion.
 *
 * @example ID-JAG: the second source asks the first one's manager for a fresh assertion each time
 * ```ts
 * const idJag = new TokenManager({
 *   name: 'crm-id-jag',
 *   prefetch: 'lazy',
 *   source: tokenExchange({
 *     issuer: 'https://idp.example.com', clientId, clientSecret,
 *     subjectToken: () => session.idToken, subjectTokenType: TokenTypes.idToken,
 *     requestedTokenType: TokenTypes.idJag,
 *     audience: 'https://auth.crm.example', resource: 'https://api.crm.example',
 *   }),
 * })
 * const crm = new TokenManager({
 *   name: 'crm',
 *   origins: ['https://api.crm.example'],
 *   source: jwtBearer({
 *     issuer: 'https://auth.crm.example', clientId: crmClientId, clientSecret: crmSecret,
 *     assertion: async () => (await idJag.refresh()).accessToken,
 *   }),
 * })
 * ```
 */
export function tokenExchange(options: TokenExchangeOptions): TokenSource {
  requireObject(options, 'options')
  const client = oauthClient(options)
  const subject = checkProvider(options.subjectToken, 'subjectToken', true) as StringProvider
  const subjectTokenType = requireString(options.subjectTokenType, 'subjectTokenType')
  const actor = checkProvider(options.actorToken, 'actorToken', false)
  const actorTokenType = optionalString(options.actorTokenType, 'actorTokenType')
  if ((actor === undefined) !== (actorTokenType === undefined)) {
    throw invalidOption('actorTokenType', 'given together with actorToken')
  }
  const requestedTokenType = optionalString(options.requestedTokenType, 'requestedTokenType')
  const audience = stringList(options.audience, 'audience')
  const resource = stringList(options.resource, 'resource')
  const own = { scope: scopeList(options.scope), params: checkParams(options.params) }
  return {
    kind: 'token-exchange',
    dpop: client.dpop,
    async acquire(ctx) {
      const subjectToken = await readProvided(subject, ctx, 'subjectToken')
      const actorToken = actor === undefined ? undefined : await readProvided(actor, ctx, 'actorToken')
      const parameters = buildParameters(ctx, own, {
        subject_token: subjectToken,
        subject_token_type: subjectTokenType,
        actor_token: actorToken,
        actor_token_type: actorTokenType,
        requested_token_type: requestedTokenType,
        audience: audience.length > 0 ? audience : undefined,
        resource: resource.length > 0 ? resource : undefined,
      })
      const secrets = actorToken === undefined ? [subjectToken] : [subjectToken, actorToken]
      return client.request(ctx, (config, dpop) => genericGrantRequest(config, TOKEN_EXCHANGE_GRANT_TYPE, parameters, dpop), secrets)
    },
  }
}
