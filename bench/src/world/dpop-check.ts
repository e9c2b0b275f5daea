import { createHash } from 'node:crypto'

/** What a DPoP-bound token is bound to, for its proofs to match. */
export interface DPoPBound {
  /** The JWK SHA-256 thumbprint of the key it was issued to (its `cnf.jkt`). */
  readonly jkt: string
  /** The token's SHA-256 hash, base64url: the `ath` of its proofs. */
  readonly ath: string
}

/** How far a proof's `iat` may be from the world's clock, seconds. */
const MAX_SKEW_S = 60
/** A proof's required JWK members (RFC 7638 §3.2), by key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = { EC: ['crv', 'kty', 'x', 'y'], OKP: ['crv', 'kty', 'x'], RSA: ['e', 'kty', 'n'] }
/** Thumbprints by encoded proof header: a key's header is the same in each of its proofs, so few are kept. */
const thumbprints = new Map<string, string | undefined>()

const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url')

function decode(segment: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment ?? '', 'base64url').toString())
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** The {@link DPoPBound} of `token` issued to the key of thumbprint `jkt`. */
export function boundTo(token: string, jkt: string): DPoPBound {
  return { jkt, ath: sha256(token) }
}

/**
 * The thumbprint (RFC 7638) of the key a DPoP proof carries in its header (`typ: dpop+jwt`, `jwk`),
 * or `undefined` when the header is not a proof's.
 */
export function proofKey(proof: string): string | undefined {
  const header = proof.slice(0, proof.indexOf('.'))
  if (thumbprints.has(header)) return thumbprints.get(header)
  const { typ, jwk } = decode(header) ?? {}
  const members = typeof jwk === 'object' && jwk !== null ? THUMBPRINT_MEMBERS[String((jwk as Record<string, unknown>).kty)] : undefined
  const jkt =
    typ === 'dpop+jwt' && members !== undefined
      ? sha256(JSON.stringify(Object.fromEntries(members.map((member) => [member, (jwk as Record<string, unknown>)[member]]))))
      : undefined
  thumbprints.set(header, jkt)
  return jkt
}

/**
 * Why the `DPoP` header of a request does not prove possession of `bound`'s key for that request,
 * or `undefined` when it does. Simple rules, as a resource server judges a proof (RFC 9449 §4.3):
 * one proof; a `dpop+jwt` header carrying the token's key; `htm` the request's method; `htu` its
 * origin and path; `ath` the token's hash; `iat` within a minute; a `jti`. The signature is not
 * verified: the world would spend as much CPU per request as the client signing it, and with both
 * on one machine it would set the pace of both sides of an A/B; the proofs' signatures are tested in
 * core, against jose, openid-client and oidc-provider.
 */
export function proofMismatch(
  proof: string | string[] | undefined,
  request: { method: string; htu: string; now: number },
  bound: DPoPBound,
): string | undefined {
  if (typeof proof !== 'string') return proof === undefined ? 'no DPoP proof' : 'more than one DPoP proof'
  if (proofKey(proof) !== bound.jkt) return 'the proof is not signed with the key the token is bound to'
  const claims = decode(proof.split('.')[1])
  if (claims === undefined) return 'the proof has no claims'
  if (claims.htm !== request.method) return 'htm is not the request method'
  if (claims.htu !== request.htu) return 'htu is not the request URL'
  if (claims.ath !== bound.ath) return 'ath is not the hash of the token'
  if (typeof claims.iat !== 'number' || Math.abs(claims.iat - request.now / 1000) > MAX_SKEW_S) return 'iat is not now'
  if (typeof claims.jti !== 'string' || claims.jti === '') return 'the proof has no jti'
  return undefined
}
