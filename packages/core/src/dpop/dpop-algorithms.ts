import { type KeyObject, type SignKeyObjectInput, constants, type webcrypto } from 'node:crypto'

/**
 * A JWS algorithm for DPoP proofs (RFC 9449). `EdDSA` and `Ed25519` both sign with an Ed25519 key:
 * `Ed25519` is the fully-specified name (RFC 9864) that openid-client writes, `EdDSA` the older one
 * more servers list. oidc-provider 9 accepts `ES256`, `Ed25519` and `EdDSA` by default.
 */
export type DPoPAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'Ed25519' | 'PS256' | 'RS256'

/** What node:crypto signs an algorithm with, and how WebCrypto imports its key. */
interface AlgorithmSpec {
  /** The `KeyObject.asymmetricKeyType` it signs with. */
  readonly keyType: 'ec' | 'ed25519' | 'rsa'
  /** The curve of an `ec` key, as `asymmetricKeyDetails.namedCurve` names it. */
  readonly curve?: string
  /** The digest passed to `crypto.sign`; `null` for Ed25519, which hashes by itself. */
  readonly digest: string | null
  /** The import parameters of the key's WebCrypto form (openid-client's `CryptoKeyPair`). */
  readonly webcrypto: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm
}

const SPECS: Readonly<Record<DPoPAlgorithm, AlgorithmSpec>> = {
  ES256: { keyType: 'ec', curve: 'prime256v1', digest: 'sha256', webcrypto: { name: 'ECDSA', namedCurve: 'P-256' } },
  ES384: { keyType: 'ec', curve: 'secp384r1', digest: 'sha384', webcrypto: { name: 'ECDSA', namedCurve: 'P-384' } },
  EdDSA: { keyType: 'ed25519', digest: null, webcrypto: { name: 'Ed25519' } },
  Ed25519: { keyType: 'ed25519', digest: null, webcrypto: { name: 'Ed25519' } },
  PS256: { keyType: 'rsa', digest: 'sha256', webcrypto: { name: 'RSA-PSS', hash: 'SHA-256' } },
  RS256: { keyType: 'rsa', digest: 'sha256', webcrypto: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } },
}

/**
 * Every supported algorithm, cheapest to sign first. CPU µs per signature with node:crypto (Node
 * 24.21, OpenSSL 3.5.8, AMD EPYC): Ed25519 26, ES256 55, RS256 275 and PS256 290 (2048-bit), ES384 740.
 * Between the two names of Ed25519 the fully-specified one comes first, as openid-client writes it.
 */
export const DPOP_ALGORITHMS: readonly DPoPAlgorithm[] = Object.freeze(['Ed25519', 'EdDSA', 'ES256', 'RS256', 'PS256', 'ES384'])

/** The smallest RSA modulus accepted: jose and most servers refuse shorter keys. */
export const MIN_RSA_BITS = 2048

/** Whether `value` names a supported algorithm. */
export function isDPoPAlgorithm(value: unknown): value is DPoPAlgorithm {
  return typeof value === 'string' && Object.hasOwn(SPECS, value)
}

/**
 * The algorithms `key` can sign with, cheapest first; empty for a key no algorithm fits. An
 * `rsa-pss` key (RSASSA-PSS OID) is not taken: node:crypto cannot write its JWK; a plain RSA key
 * signs PS256.
 */
export function algorithmsFor(key: KeyObject): DPoPAlgorithm[] {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails ?? {}
  if (type === 'rsa' && (details.modulusLength ?? 0) < MIN_RSA_BITS) return []
  return DPOP_ALGORITHMS.filter((alg) => SPECS[alg].keyType === type && (SPECS[alg].curve === undefined || SPECS[alg].curve === details.namedCurve))
}

/** The WebCrypto algorithm of `alg`'s keys, as `KeyObject.toCryptoKey` and `subtle.importKey` take it. */
export function webCryptoAlgorithm(alg: DPoPAlgorithm): webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams | webcrypto.Algorithm {
  return SPECS[alg].webcrypto
}

/** How to generate a fresh key for `alg` with node:crypto. */
export function generationFor(alg: DPoPAlgorithm): { type: 'ec'; namedCurve: string } | { type: 'ed25519' } | { type: 'rsa'; modulusLength: number } {
  const spec = SPECS[alg]
  if (spec.keyType === 'ec') return { type: 'ec', namedCurve: spec.curve as string }
  if (spec.keyType === 'rsa') return { type: 'rsa', modulusLength: MIN_RSA_BITS }
  return { type: 'ed25519' }
}

/** A key's fixed arguments to `crypto.sign(digest, data, key)` (or `crypto.verify`), built once per key. */
export interface SignArguments {
  readonly digest: string | null
  readonly key: KeyObject | SignKeyObjectInput
}

/**
 * The arguments `crypto.sign` needs to produce a JWS signature for `alg` with a private `key`, and
 * `crypto.verify` to check one with a public `key`: ECDSA as the fixed-length
 * `r || s` JWS requires (`ieee-p1363`, not DER), RSA-PSS with a 32-byte salt (the digest's length, RFC
 * 7518 §3.5), Ed25519 and RSASSA-PKCS1-v1_5 with the key alone.
 */
export function signArguments(alg: DPoPAlgorithm, key: KeyObject): SignArguments {
  const { keyType, digest } = SPECS[alg]
  if (keyType === 'ec') return { digest, key: { key, dsaEncoding: 'ieee-p1363' } }
  if (alg === 'PS256') return { digest, key: { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }
  return { digest, key }
}
