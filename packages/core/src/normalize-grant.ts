import { ErrorCode, TokenError } from './errors.ts'
import { advisoryWindowMs, mandatoryWindowMs } from './refresh-window.ts'
import type { TokenGrant } from './source.ts'
import { Token } from './token.ts'

/** What {@link normalizeGrant} needs besides the grant. */
export interface NormalizeOptions {
  /** Epoch ms at which the request was sent: lifetimes count from here. */
  issuedAt: number
  generation: number
  source: string
  credential?: string | undefined
  /** Scopes that were requested, used when the grant does not list any. */
  requestedScopes?: readonly string[] | undefined
  /** Seconds, for grants with neither `expiresIn` nor `expiresAt`. */
  defaultExpiresIn?: number | undefined
  refreshBeforeMs?: number | undefined
  expirySkewMs?: number | undefined
  /** A number in [0, 1) for the advisory window's jitter. */
  random?: number | undefined
  /** The thumbprint of the credential's DPoP key, recorded on a `DPoP` token. */
  jkt?: string | undefined
}

/** A normalised token and the instant from which it counts as expired. */
export interface NormalizedToken {
  token: Token
  /** Epoch ms at which the mandatory window starts; `Infinity` when the token never expires by time. */
  expiringAt: number
}

/** A server's `refresh_in` below this is raised to it, so a `refresh_in: 0` cannot cause a refresh loop. */
const MIN_REFRESH_IN_MS = 1000
const TOKEN_TYPE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const VISIBLE_ASCII = /^[\x21-\x7e]+$/
const CANONICAL_TYPES: Record<string, string> = { bearer: 'Bearer', dpop: 'DPoP', mac: 'MAC', pop: 'PoP' }

/**
 * Turns a source's raw grant into a {@link Token}: checks every field, computes expiry from the time
 * the request was sent, honours `refreshIn`, and places the advisory and mandatory windows. A grant
 * that is unusable, or that already counts as expired, throws a coded {@link TokenError} (terminal:
 * asking the same source again would give the same answer).
 */
export function normalizeGrant(grant: TokenGrant, options: NormalizeOptions): NormalizedToken {
  const fail = (code: string, message: string): never => {
    throw new TokenError(code, message, { credential: options.credential, transient: false })
  }
  if (typeof grant !== 'object' || grant === null) fail(ErrorCode.MALFORMED, 'the source returned no grant')
  const { accessToken } = grant
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    fail(ErrorCode.MALFORMED, 'the grant has no access token')
  }
  if (!VISIBLE_ASCII.test(accessToken)) {
    fail(ErrorCode.MALFORMED, 'the access token holds characters a header cannot carry')
  }
  const tokenType = canonicalTokenType(grant.tokenType, fail)
  const issuedAt = options.issuedAt

  const expiresIn = grant.expiresIn ?? (grant.expiresAt === undefined ? options.defaultExpiresIn : undefined)
  let expiresAt: number | undefined
  if (expiresIn !== undefined) {
    if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || expiresIn <= 0) {
      fail(ErrorCode.MALFORMED, 'the grant\'s "expiresIn" is not a positive number of seconds')
    }
    expiresAt = issuedAt + expiresIn * 1000
  } else if (grant.expiresAt !== undefined) {
    if (typeof grant.expiresAt !== 'number' || !Number.isFinite(grant.expiresAt)) {
      fail(ErrorCode.MALFORMED, 'the grant\'s "expiresAt" is not an epoch in milliseconds')
    }
    expiresAt = grant.expiresAt
  }

  let expiringAt = Number.POSITIVE_INFINITY
  let refreshAt: number | undefined
  if (expiresAt !== undefined) {
    const lifetime = expiresAt - issuedAt
    expiringAt = expiresAt - mandatoryWindowMs(lifetime, options.expirySkewMs)
    if (expiringAt <= issuedAt) {
      fail(ErrorCode.EXPIRES_TOO_SOON, 'the source returned a token that already counts as expired')
    }
    refreshAt = expiresAt - advisoryWindowMs(lifetime, options.refreshBeforeMs, options.random ?? Math.random())
  }
  if (grant.refreshIn !== undefined) {
    if (typeof grant.refreshIn !== 'number' || !Number.isFinite(grant.refreshIn) || grant.refreshIn < 0) {
      fail(ErrorCode.MALFORMED, 'the grant\'s "refreshIn" is not a non-negative number of seconds')
    }
    refreshAt = issuedAt + Math.max(grant.refreshIn * 1000, MIN_REFRESH_IN_MS)
  }
  if (refreshAt !== undefined) refreshAt = Math.min(refreshAt, expiringAt)

  return {
    token: new Token({
      accessToken,
      tokenType,
      expiresAt,
      refreshAt,
      scope: normalizeScope(grant.scope, options.requestedScopes, fail),
      refreshToken: optionalString(grant.refreshToken, 'refreshToken', fail),
      idToken: optionalString(grant.idToken, 'idToken', fail),
      issuedAt,
      source: options.source,
      generation: options.generation,
      jkt: tokenType === 'DPoP' ? options.jkt : undefined,
    }),
    expiringAt,
  }
}

/** Splits a scope string or list into distinct scopes. */
export function parseScope(scope: string | readonly string[]): string[] {
  const list = typeof scope === 'string' ? scope.split(' ') : scope
  return [...new Set(list.filter((s) => s.length > 0))]
}

type Fail = (code: string, message: string) => never

function canonicalTokenType(value: unknown, fail: Fail): string {
  if (value === undefined || value === null || value === '') return 'Bearer'
  if (typeof value !== 'string' || !TOKEN_TYPE.test(value)) fail(ErrorCode.MALFORMED, 'the grant\'s token type is not a valid scheme')
  const type = value as string
  return CANONICAL_TYPES[type.toLowerCase()] ?? type
}

function normalizeScope(value: unknown, requested: readonly string[] | undefined, fail: Fail): string[] {
  if (value === undefined || value === null) return [...(requested ?? [])]
  if (typeof value === 'string') return parseScope(value)
  if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return parseScope(value)
  return fail(ErrorCode.MALFORMED, 'the grant\'s scope is neither a string nor a list of strings')
}

function optionalString(value: unknown, field: string, fail: Fail): string | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' || value.length === 0) fail(ErrorCode.MALFORMED, `the grant's "${field}" is not a string`)
  return value as string
}
