import type { DPoPOptions } from '../dpop/dpop-key.ts'
import { ErrorCode, TokenError, invalidOption } from '../errors.ts'
import { parseScope } from '../normalize-grant.ts'
import type { AcquireContext } from '../source.ts'

/** The client authentication methods the OAuth sources speak. */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt'

/**
 * A callback producing a secret string at each acquisition (an assertion, a subject token), read
 * afresh every time: a Kubernetes projected token file, a cloud metadata endpoint, another manager.
 */
export type StringProvider = (context: { signal: AbortSignal }) => Promise<string> | string

/**
 * Where the authorization server is, who the client is, and how it authenticates: the options every
 * OAuth source shares.
 *
 * Give `issuer` (its metadata is discovered once per process and issuer, and cached; a failed
 * discovery is not cached, so the next acquisition tries again) or `tokenEndpoint` (no discovery).
 * With both, no discovery is made and `issuer` is what openid-client expects as the `iss` of ID
 * tokens and puts in the `aud` of `private_key_jwt` assertions; with `tokenEndpoint` alone, the
 * token endpoint URL plays that part (so give `issuer` too when the server returns ID tokens).
 * Plain-http URLs are refused with `TOKEN_INSECURE_TRANSPORT` unless the host is loopback.
 *
 * Every request waits for a slot in its origin's queue (see `setTokenEndpointConcurrency`),
 * follows the manager's abort signal, and is aborted after `timeoutMs` once sent.
 *
 * Client authentication: `clientSecret` (`client_secret_basic` by default, or `client_secret_post`),
 * `privateKey` (`private_key_jwt`), or `clientAssertion` (a ready-made assertion, sent as
 * `client_assertion` with the `jwt-bearer` assertion type: workload identity federation). Give at
 * most one; with none, the client is public and sends only its `client_id`.
 */
export interface OAuthClientOptions {
  /** The issuer identifier, e.g. `https://login.example.com/tenant`. */
  issuer?: string | URL | undefined
  /** The token endpoint URL, when there is no discovery document (or to skip it). */
  tokenEndpoint?: string | URL | undefined
  /** Which well-known document discovery reads: OpenID Connect's or RFC 8414's. @default 'oidc' */
  discovery?: 'oidc' | 'oauth2' | undefined
  /** The client identifier. */
  clientId: string
  /** The client secret. Treat it as a secret: it never appears in errors. */
  clientSecret?: string | undefined
  /**
   * The private key of `private_key_jwt`: a JWK object, a PKCS#8 PEM string (`BEGIN PRIVATE KEY`),
   * or a private `CryptoKey` (may be non-extractable). Read when the source is created. A PKCS#1,
   * SEC1 or encrypted PEM is refused with a coded error: convert it with `toPkcs8Pem` from
   * `@tokenwarden/core/node`.
   */
  privateKey?: JsonWebKey | string | CryptoKey | undefined
  /** The `kid` header of the client assertion. @default the JWK's `kid`, else none */
  kid?: string | undefined
  /**
   * The signing algorithm of the client assertion (`RS256`, `PS256`, `ES256`, `EdDSA`, …).
   * @default the JWK's `alg`, else RS256 for RSA keys, ES256/ES384/ES512 by curve, Ed25519 for Ed25519 keys
   */
  alg?: string | undefined
  /** A ready-made client assertion, read at each acquisition (federated / workload identity). */
  clientAssertion?: StringProvider | undefined
  /** The client authentication method. @default from the credential given: a secret → `client_secret_basic` */
  clientAuth?: ClientAuthMethod | undefined
  /** Milliseconds one request may take once sent (queue time excluded). @default 10000 */
  timeoutMs?: number | undefined
  /**
   * Sender-constrained tokens (DPoP, RFC 9449): `true`, or `{ key?, alg?, required? }`. The
   * credential signs token requests and every request its tokens are sent with, with one key: the
   * one given (a `CryptoKeyPair` with an extractable private key, a private JWK or a PKCS#8 PEM,
   * so that several processes can share it), else one generated with the cheapest algorithm the
   * server lists. A token the server issues as Bearer is used as Bearer, unless `required`.
   * @default off
   */
  dpop?: boolean | DPoPOptions | undefined
}

/** Extra token request parameters: a value or a list of values (sent as repeated parameters). */
export type TokenRequestParams = Readonly<Record<string, string | readonly string[]>>

/** The default of {@link OAuthClientOptions.timeoutMs}. */
export const oauthDefaults: Readonly<{ timeoutInMs: number }> = Object.freeze({ timeoutInMs: 10_000 })

/** Checks that `options` is an object; returns it typed. */
export function requireObject<T extends object>(options: T, name: string): T {
  if (typeof options !== 'object' || options === null) throw invalidOption(name, 'an object')
  return options
}

/** A non-empty string option. */
export function requireString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidOption(option, 'a non-empty string')
  return value
}

/** An optional non-empty string option. */
export function optionalString(value: unknown, option: string): string | undefined {
  return value === undefined ? undefined : requireString(value, option)
}

/** A function option, required or not. */
export function checkProvider(value: unknown, option: string, required: boolean): StringProvider | undefined {
  if (value === undefined && !required) return undefined
  if (typeof value !== 'function') throw invalidOption(option, 'a function returning a string or a promise of one')
  return value as StringProvider
}

/** A string or list of strings option (`scope`, `resource`, `audience`), as a list. */
export function stringList(value: unknown, option: string): readonly string[] {
  if (value === undefined) return []
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0)) return value
  throw invalidOption(option, 'a string or an array of non-empty strings')
}

/** The `scope` option (a space-separated string or a list) as distinct scopes. */
export function scopeList(value: unknown): readonly string[] {
  return parseScope(typeof value === 'string' ? value : stringList(value, 'scope'))
}

/** Checks the `params` option. */
export function checkParams(value: unknown): TokenRequestParams {
  if (value === undefined) return {}
  if (typeof value !== 'object' || value === null) throw invalidOption('params', 'an object of strings')
  for (const [key, v] of Object.entries(value)) {
    if (typeof v !== 'string' && !(Array.isArray(v) && v.every((s) => typeof s === 'string'))) {
      throw invalidOption(`params.${key}`, 'a string or an array of strings')
    }
  }
  return value as TokenRequestParams
}

/**
 * Builds a token request's parameters. Rules: `params` go first; the source's own parameters
 * replace any of the same name; the scope is `ctx.scopes` when the manager sets them (after
 * `upgradeScopes`), else the source's own, and is omitted when empty; `ctx.claims` is sent as
 * `claims`.
 */
export function buildParameters(
  ctx: AcquireContext,
  options: { scope: readonly string[]; params: TokenRequestParams },
  own: Readonly<Record<string, string | readonly string[] | undefined>>,
): URLSearchParams {
  const body = new URLSearchParams()
  const put = (key: string, value: string | readonly string[] | undefined): void => {
    if (value === undefined) return
    body.delete(key)
    for (const v of typeof value === 'string' ? [value] : value) body.append(key, v)
  }
  for (const [key, value] of Object.entries(options.params)) put(key, value)
  const scope = requestedScopes(ctx, options.scope)
  if (scope.length > 0) put('scope', scope.join(' '))
  if (ctx.claims !== undefined) put('claims', ctx.claims)
  for (const [key, value] of Object.entries(own)) put(key, value)
  return body
}

/** The scopes an acquisition asks for: the manager's when set, else the source's. */
export function requestedScopes(ctx: AcquireContext, own: readonly string[]): readonly string[] {
  return ctx.scopes ?? own
}

/** Calls a {@link StringProvider} and checks that it produced a non-empty string. */
export async function readProvided(provider: StringProvider, ctx: AcquireContext, what: string): Promise<string> {
  const value = await provider({ signal: ctx.signal })
  if (typeof value !== 'string' || value.length === 0) {
    throw new TokenError(ErrorCode.SOURCE_UNAVAILABLE, `the ${what} callback returned no token`, {
      credential: ctx.credential,
      transient: true,
    })
  }
  return value
}
