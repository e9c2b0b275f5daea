import {
  Configuration,
  type DPoPHandle,
  type DPoPOptions,
  type TokenEndpointResponse,
  allowInsecureRequests,
  customFetch,
} from 'openid-client'
import { abortable } from '../abortable.ts'
import { type DPoPBinding, dpopBinding } from '../dpop/dpop-binding.ts'
import { checkDPoPOptions } from '../dpop/dpop-key.ts'
import { ErrorCode, TokenError, invalidOption } from '../errors.ts'
import type { AcquireContext, TokenGrant } from '../source.ts'
import { clientAuthentication } from './client-auth.ts'
import { type FailureContext, endpointFailure, malformedAnswer } from './endpoint-failure.ts'
import { HttpExchange } from './http-exchange.ts'
import { type OAuthClientOptions, oauthDefaults, requireObject, requireString } from './oauth-options.ts'
import { needsInsecureRequests, serverTarget } from './server-metadata.ts'

/** One openid-client grant call, made with the request's {@link Configuration} and its DPoP handle, if any. */
export type GrantCall = (config: Configuration, options: DPoPOptions) => Promise<TokenEndpointResponse>

/** The part every OAuth source shares: where the server is, how the client authenticates, how a request is sent. */
export interface OAuthClient {
  /** The client identifier. */
  readonly clientId: string
  /**
   * Sends one token request and turns its answer into a grant. `secrets` are the request's own
   * secret values (refresh token, subject token, assertion), kept out of any error it throws.
   */
  request(ctx: AcquireContext, call: GrantCall, secrets: readonly string[]): Promise<TokenGrant>
  /** The credential's DPoP key, when the source was made with `dpop`. */
  readonly dpop: DPoPBinding | undefined
}

/**
 * Checks the shared options at once (a bad one throws a coded `TypeError`, a plain-http URL a
 * `TOKEN_INSECURE_TRANSPORT` error) and returns the client the sources send requests through.
 *
 * Rules for each request:
 * - the server metadata comes from the per-process discovery cache (or the given `tokenEndpoint`);
 * - a fresh openid-client `Configuration` is built for the request, carrying its own `customFetch`:
 *   the request queues per origin, honours `ctx.signal` and `timeoutMs`, and records the raw answer;
 * - openid-client validates the answer; anything it throws is classified by {@link endpointFailure}.
 */
export function oauthClient(options: OAuthClientOptions): OAuthClient {
  requireObject(options, 'options')
  const clientId = requireString(options.clientId, 'clientId')
  const timeoutMs = options.timeoutMs ?? oauthDefaults.timeoutInMs
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw invalidOption('timeoutMs', 'a positive number of milliseconds')
  }
  const target = serverTarget(options)
  const auth = clientAuthentication(options)
  const dpopOptions = checkDPoPOptions(options.dpop)
  const dpop =
    dpopOptions === undefined
      ? undefined
      : dpopBinding(dpopOptions, async () => (await target.metadata(timeoutMs, true)).dpop_signing_alg_values_supported)
  /** One openid-client DPoP handle per credential serves every request's Configuration. */
  let handle: DPoPHandle | undefined
  return {
    clientId,
    dpop,
    async request(ctx, call, secrets) {
      const metadata = await abortable(target.metadata(timeoutMs, ctx.mayUnref === true), ctx.signal)
      const key = dpop === undefined ? undefined : await abortable(dpop.key(), ctx.signal)
      const prepared = await auth.prepare(ctx)
      const context: FailureContext = {
        what: 'token endpoint',
        credential: ctx.credential,
        signal: ctx.signal,
        timeoutMs,
        secrets: [...prepared.secrets, ...secrets],
      }
      const exchange = new HttpExchange(ctx.signal, timeoutMs, ctx.mayUnref === true)
      let response: TokenEndpointResponse
      try {
        const config = new Configuration(metadata, clientId, undefined, prepared.auth)
        config.timeout = 0
        config[customFetch] = exchange.fetch
        if (needsInsecureRequests(metadata.token_endpoint)) allowInsecureRequests(config)
        if (key !== undefined) handle ??= key.handle(config)
        response = await call(config, { DPoP: handle })
      } catch (error) {
        throw endpointFailure(error, exchange, context)
      }
      const grant = toGrant(response, exchange, context)
      if (dpop?.required === true && grant.tokenType !== 'dpop') throw notBound(ctx)
      return grant
    },
  }
}

/** The error for a Bearer token issued to a credential that requires DPoP. */
function notBound(ctx: AcquireContext): TokenError {
  return new TokenError(
    ErrorCode.DPOP_NOT_BOUND,
    `the token endpoint issued "${ctx.credential}" a token that is not DPoP-bound, and dpop.required is set`,
    { credential: ctx.credential, transient: false },
  )
}

/**
 * Maps a token response to a grant. Rules:
 * - `expires_in` must be a positive JSON number when present (openid-client also accepts numeric
 *   strings; a string here is `TOKEN_MALFORMED`, as are zero and negative values);
 * - an absent `expires_in` stays absent: the manager then applies its `defaultExpiresIn`, else the
 *   token never expires by time (it is renewed only after a 401);
 * - `expires_in` is passed through untouched, so a token that already counts as expired is caught
 *   by the manager (`TOKEN_EXPIRES_TOO_SOON`), not here;
 * - a non-standard `refresh_in` (seconds) is honoured when it is a non-negative number;
 * - `token_type` `N_A` (token exchange of a non-access token) keeps its registered spelling.
 */
function toGrant(response: TokenEndpointResponse, exchange: HttpExchange, context: FailureContext): TokenGrant {
  const raw = exchange.json() ?? {}
  const expiresIn = raw.expires_in
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0)) {
    throw malformedAnswer(`the token endpoint's "expires_in" is not a positive number of seconds`, exchange, context)
  }
  const refreshIn = raw.refresh_in
  return {
    accessToken: response.access_token,
    tokenType: response.token_type === 'n_a' ? 'N_A' : response.token_type,
    expiresIn: expiresIn as number | undefined,
    refreshIn: typeof refreshIn === 'number' && Number.isFinite(refreshIn) && refreshIn >= 0 ? refreshIn : undefined,
    refreshToken: response.refresh_token,
    scope: response.scope,
    idToken: response.id_token,
  }
}
