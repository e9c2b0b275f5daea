import { refreshTokenGrant } from 'openid-client'
import { ReauthorizationRequiredError } from '../errors.ts'
import type { AcquireContext, TokenGrant, TokenSource } from '../source.ts'
import { oauthClient } from './oauth-client.ts'
import {
  type OAuthClientOptions,
  type TokenRequestParams,
  buildParameters,
  checkParams,
  requestedScopes,
  requireObject,
  requireString,
  scopeList,
} from './oauth-options.ts'
import { TokenEndpointError } from './token-endpoint-error.ts'

/** Options of {@link refreshToken}. */
export interface RefreshTokenOptions extends OAuthClientOptions {
  /**
   * The refresh token to start from. Once the manager holds a token, the refresh token kept with
   * it (persisted through the store) is used instead.
   */
  refreshToken: string
  /** Scopes to request (a subset of the grant's); the manager's `scopes` replace them. @default the grant's */
  scope?: string | readonly string[] | undefined
  /** Further parameters of the token request. */
  params?: TokenRequestParams | undefined
}

/**
 * The OAuth 2.0 refresh token grant (RFC 6749 §6) with refresh-token rotation.
 *
 * Rules:
 * - the refresh token sent is the one kept with the manager's previous token (read back from the
 *   store after a restart), else `options.refreshToken`;
 * - the grant carries the new refresh token, or the one just used when the server did not rotate
 *   it; the manager persists the token, refresh token included, through its store *before* it
 *   publishes the new access token: a process that stops right after a rotation, or another one
 *   sharing the store, finds the new refresh token there (the old one is already spent);
 * - on `invalid_grant` (or `invalid_dpop_proof`, a DPoP-bound refresh token refused) the source re-reads the store once (another process sharing it may have
 *   rotated the token) and, if it holds a different refresh token, tries that one once; then it
 *   fails with {@link ReauthorizationRequiredError} (`TOKEN_REAUTHORIZATION_REQUIRED`) carrying the
 *   scopes a new authorization must grant. `options.refreshToken` is never tried again once a
 *   rotated one replaced it: servers with reuse detection would revoke the whole grant and may
 *   raise a theft alert. After a new authorization, clear the store (or `setToken` the new grant);
 * - `manager.upgradeScopes()` asks for the merged scopes with the same refresh token; a server that
 *   refuses them (`invalid_scope`) makes the manager raise `ReauthorizationRequiredError`.
 *
 * @example
 * ```ts
 * const manager = new TokenManager({
 *   name: 'crm',
 *   store, // a durable store shared by the processes using this credential
 *   source: refreshToken({ issuer, clientId, clientSecret, refreshToken: process.env.CRM_REFRESH_TOKEN! }),
 * })
 * ```
 */
export function refreshToken(options: RefreshTokenOptions): TokenSource {
  requireObject(options, 'options')
  const initial = requireString(options.refreshToken, 'refreshToken')
  const client = oauthClient(options)
  const own = { scope: scopeList(options.scope), params: checkParams(options.params) }

  const send = async (ctx: AcquireContext, token: string): Promise<TokenGrant> => {
    const parameters = buildParameters(ctx, own, {})
    const grant = await client.request(ctx, (config, dpop) => refreshTokenGrant(config, token, parameters, dpop), [token])
    return { ...grant, refreshToken: grant.refreshToken ?? token }
  }

  return {
    kind: 'refresh-token',
    dpop: client.dpop,
    async acquire(ctx) {
      const used = ctx.previous?.refreshToken ?? initial
      let failure: unknown
      try {
        return await send(ctx, used)
      } catch (error) {
        if (!isInvalidGrant(error)) throw error
        failure = error
      }
      const stored = (await ctx.stored().catch(() => undefined))?.refreshToken
      if (stored !== undefined && stored !== used) {
        try {
          return await send(ctx, stored)
        } catch (error) {
          if (!isInvalidGrant(error)) throw error
          failure = error
        }
      }
      const scopes = requestedScopes(ctx, own.scope)
      throw new ReauthorizationRequiredError(`the refresh token of "${ctx.credential}" is no longer valid`, {
        cause: failure,
        credential: ctx.credential,
        scopes: scopes.length > 0 ? scopes : (ctx.previous?.scope ?? []),
        claims: ctx.claims,
      })
    },
  }
}

/** `invalid_grant`, or `invalid_dpop_proof` (a DPoP-bound refresh token refused with this key): no retry can fix either. */
function isInvalidGrant(error: unknown): boolean {
  return error instanceof TokenEndpointError && (error.error === 'invalid_grant' || error.error === 'invalid_dpop_proof')
}
