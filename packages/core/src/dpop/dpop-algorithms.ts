import type * as NodeCrypto from 'node:crypto'
import type { KeyType } from '../keys/pkcs8.ts'

/**
 * A JWS algorithm for DPoP proofs (RFC 9449). `EdDSA` and `Ed25519` both sign with an Ed25519 key:
 * `Ed25519` is the fully-specified name (RFC 9864) that openid-client writes, `EdDSA` the older one
 * more servers list. oidc-provider 9 accepts `ES256`, `Ed25519` and `EdDSA` by default.
 */
export type DPoPAlgorithm = 'ES256' | 'ES384' | 'EdDSA' | 'Ed25519' | 'PS256' | 'RS256'

/** The WebCrypto parameters of an algorithm's keys and signatures. */
export type WebCryptoAlgorithm = EcKeyImportParams | RsaHashedImportParams | Algorithm

/** Which keys sign an algorithm, how WebCrypto imports and uses them, and what node:crypto signs with. */
interface AlgorithmSpec {
  /** The key's JWK `kty`. */
  readonly kty: 'EC' | 'OKP' | 'RSA'
  /** The key's JWK `crv`, for `EC` and `OKP`. */
  readonly crv?: string
  /** The digest passed to node:crypto's `sign`; `null` for Ed25519, which hashes by itself. */
  readonly digest: string | null
  /** The import parameters of the key's WebCrypto form. */
  readonly webcrypto: WebCryptoAlgorithm
  /** The parameters of `subtle.sign` (ECDSA's hash, RSA-PSS's salt length). */
  readonly signParams: Algorithm | EcdsaParams | RsaPssParams
}

const SPECS: Readonly<Record<DPoPAlgorithm, AlgorithmSpec>> = {
  ES256: { kty: 'EC', crv: 'P-256', digest: 'sha256', webcrypto: { name: 'ECDSA', namedCurve: 'P-256' }, signParams: { name: 'ECDSA', hash: 'SHA-256' } },
  ES384: { kty: 'EC', crv: 'P-384', digest: 'sha384', webcrypto: { name: 'ECDSA', namedCurve: 'P-384' }, signParams: { name: 'ECDSA', hash: 'SHA-384' } },
  EdDSA: { kty: 'OKP', crv: 'Ed25519', digest: null, webcrypto: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } },
  Ed25519: { kty: 'OKP', crv: 'Ed25519', digest: null, webcrypto: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } },
  PS256: { kty: 'RSA', digest: 'sha256', webcrypto: { name: 'RSA-PSS', hash: 'SHA-256' }, signParams: { name: 'RSA-PSS', saltLength: 32 } },
  RS256: { kty: 'RSA', digest: 'sha256', webcrypto: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, signParams: { name: 'RSASSA-PKCS1-v1_5' } },
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
 * The algorithms a key of `type` can sign with, cheapest first; empty for a key no algorithm fits.
 * An `RSA-PSS` key (RSASSA-PSS OID) is not taken: its JWK cannot be written; a plain RSA key signs
 * PS256. An RSA key's size is checked once imported.
 */
export function algorithmsFor(type: KeyType): DPoPAlgorithm[] {
  return DPOP_ALGORITHMS.filter((alg) => SPECS[alg].kty === type.kty && (SPECS[alg].crv === undefined || SPECS[alg].crv === type.crv))
}

/** The WebCrypto algorithm of `alg`'s keys, as `subtle.importKey` and `subtle.generateKey` take it. */
export function webCryptoAlgorithm(alg: DPoPAlgorithm): WebCryptoAlgorithm {
  return SPECS[alg].webcrypto
}

/** The parameters of `subtle.sign` and `subtle.verify` for `alg`. */
export function webCryptoSignParams(alg: DPoPAlgorithm): Algorithm | EcdsaParams | RsaPssParams {
  return SPECS[alg].signParams
}

/** A key's fixed arguments to node:crypto's `sign(digest, data, key)`, built once per key. */
export interface SignArguments {
  readonly digest: string | null
  readonly key: NodeCrypto.KeyObject | NodeCrypto.SignKeyObjectInput
}

/**
 * The arguments node:crypto's `sign` needs to produce a JWS signature for `alg` with a private
 * `key`: ECDSA as the fixed-length `r || s` JWS requires (`ieee-p1363`, not DER), RSA-PSS with a
 * 32-byte salt (the digest's length, RFC 7518 §3.5), Ed25519 and RSASSA-PKCS1-v1_5 with the key alone.
 */
export function signArguments(crypto: typeof NodeCrypto, alg: DPoPAlgorithm, key: NodeCrypto.KeyObject): SignArguments {
  const { kty, digest } = SPECS[alg]
  if (kty === 'EC') return { digest, key: { key, dsaEncoding: 'ieee-p1363' } }
  if (alg === 'PS256') return { digest, key: { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } }
  return { digest, key }
}
