import { invalidOption } from '../errors.ts'
import { type KeyType, pkcs8KeyType, readPem } from './pkcs8.ts'

/**
 * A user's private key, read but not imported yet: a JWK (with `d`) or the DER bytes of a PKCS#8
 * PEM, and its type. WebCrypto imports both in every runtime.
 */
export type PrivateKeyMaterial =
  | { readonly format: 'jwk'; readonly jwk: JsonWebKey; readonly type: KeyType }
  | { readonly format: 'pkcs8'; readonly der: Uint8Array; readonly type: KeyType }

/** Where the PEM forms WebCrypto cannot import are converted. */
export const NODE_PEM_HINT = "convert it with toPkcs8Pem() from '@tokenwarden/core/node'"

/** The members of a private JWK that WebCrypto reads; `alg`, `use`, `key_ops` and `ext` are left out. */
const KEY_MEMBERS = ['kty', 'crv', 'x', 'y', 'd', 'n', 'e', 'p', 'q', 'dp', 'dq', 'qi'] as const

/**
 * Reads `input` (a private JWK or a PKCS#8 PEM) without importing it. Throws a coded `TypeError`
 * naming `option`, never holding key material: `expected` for anything else, and a pointer to
 * `@tokenwarden/core/node` for a PEM form WebCrypto cannot import (PKCS#1, SEC1, encrypted).
 */
export function readPrivateKey(input: unknown, option: string, expected: string): PrivateKeyMaterial {
  if (typeof input === 'string') {
    const pem = readPem(input)
    if (pem === undefined) throw invalidOption(option, expected)
    if (pem.label !== 'PRIVATE KEY') {
      if (!/PRIVATE KEY/.test(pem.label)) throw invalidOption(option, expected)
      throw invalidOption(option, `a PKCS#8 PEM ("BEGIN PRIVATE KEY"), a JWK or a CryptoKey; for a "${pem.label}" PEM, ${NODE_PEM_HINT}`)
    }
    const type = pkcs8KeyType(pem.der)
    if (type === undefined) throw invalidOption(option, expected)
    return { format: 'pkcs8', der: pem.der, type }
  }
  if (typeof input !== 'object' || input === null || typeof (input as JsonWebKey).d !== 'string') throw invalidOption(option, expected)
  const jwk = input as JsonWebKey
  const type = jwkKeyType(jwk)
  const jwkMembers: Record<string, unknown> = {}
  for (const member of KEY_MEMBERS) if (jwk[member] !== undefined) jwkMembers[member] = jwk[member]
  return { format: 'jwk', jwk: jwkMembers as JsonWebKey, type }
}

function jwkKeyType(jwk: JsonWebKey): KeyType {
  if (jwk.kty === 'RSA') return { kty: 'RSA' }
  if (jwk.kty === 'EC' || jwk.kty === 'OKP') return { kty: jwk.kty, crv: typeof jwk.crv === 'string' ? jwk.crv : undefined }
  return { kty: 'unknown' }
}

/** Imports `material` into WebCrypto for `algorithm`, usable to sign; rejects as WebCrypto does. */
export function importPrivateKey(
  material: PrivateKeyMaterial,
  algorithm: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams,
  extractable: boolean,
): Promise<CryptoKey> {
  const { subtle } = globalThis.crypto
  return material.format === 'jwk'
    ? subtle.importKey('jwk', material.jwk, algorithm, extractable, ['sign'])
    : subtle.importKey('pkcs8', material.der as Uint8Array<ArrayBuffer>, algorithm, extractable, ['sign'])
}

/** A WebCrypto key; `CryptoKey` is a global class in every supported runtime. */
export function isCryptoKey(value: unknown): value is CryptoKey {
  const CryptoKeyClass = (globalThis as { CryptoKey?: abstract new () => unknown }).CryptoKey
  return CryptoKeyClass !== undefined && value instanceof CryptoKeyClass
}
