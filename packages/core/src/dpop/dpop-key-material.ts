/**
 * Making a user's DPoP key (or a generated one) ready for one algorithm: WebCrypto keys for
 * openid-client, the public JWK, and the same private key for node:crypto where the runtime has it.
 */
import type * as NodeCrypto from 'node:crypto'
import { type InvalidOptionError, invalidOption } from '../errors.ts'
import { type PrivateKeyMaterial, importPrivateKey } from '../keys/private-key.ts'
import { nodeBuiltin } from '../runtime/node-builtin.ts'
import { type DPoPAlgorithm, MIN_RSA_BITS, webCryptoAlgorithm, webCryptoSignParams } from './dpop-algorithms.ts'
import type { DPoPPublicJwk, NodeSigningKey } from './dpop-proof.ts'

/** A key made ready for one algorithm. */
export interface MadeKey {
  /** WebCrypto keys for openid-client: the user's own pair, or the private key not extractable and the public key extractable. */
  readonly keyPair: CryptoKeyPair
  readonly publicJwk: DPoPPublicJwk
  /** The same private key for node:crypto, when the runtime has it: proofs are then signed synchronously. */
  readonly node: NodeSigningKey | undefined
}

export const KEY_KINDS = 'a CryptoKeyPair, a private JWK (with "d") or a PKCS#8 PEM private key'
export const KEY_TYPES = 'an EC P-256 or P-384, Ed25519 or RSA (at least 2048 bits) private key'

/** A bad DPoP option: coded, naming the option, never its value; not worth retrying. */
export function bad(option: string, expected: string): InvalidOptionError {
  return Object.assign(invalidOption(option, expected), { transient: false })
}

/**
 * Imports read key material for `alg`: the private key not extractable, the public key (from the
 * key's own JWK) extractable; checks the RSA size and that the public key belongs to the private one.
 */
export async function fromMaterial(material: PrivateKeyMaterial, alg: DPoPAlgorithm): Promise<MadeKey> {
  const params = webCryptoAlgorithm(alg)
  const { subtle } = globalThis.crypto
  let keyPair: CryptoKeyPair
  let publicJwk: DPoPPublicJwk
  try {
    const exported = await subtle.exportKey('jwk', await importPrivateKey(material, params, true))
    publicJwk = canonicalJwk(exported)
    keyPair = {
      privateKey: await importPrivateKey(material, params, false),
      publicKey: await subtle.importKey('jwk', publicJwk as JsonWebKey, params, true, ['verify']),
    }
  } catch {
    throw bad('dpop.key', KEY_KINDS)
  }
  await checkPair(keyPair, alg, 'a private key whose public members belong to it')
  return { keyPair, publicJwk, node: nodeKey(material) }
}

/**
 * A user's `CryptoKeyPair` for `alg`: its public key is checked against the private one, or
 * replaced by an extractable copy when it is not extractable (openid-client exports it into its
 * proofs), which needs the private key to be extractable.
 */
export async function fromPair(pair: CryptoKeyPair, alg: DPoPAlgorithm): Promise<MadeKey> {
  const { privateKey, publicKey } = pair
  const { subtle } = globalThis.crypto
  if (!publicKey.extractable && !privateKey.extractable) {
    throw bad('dpop.key', 'a CryptoKeyPair whose public key (or else private key) is extractable')
  }
  await checkPair(pair, alg, "a CryptoKeyPair whose public key is the private key's")
  const publicJwk = canonicalJwk(await subtle.exportKey('jwk', publicKey.extractable ? publicKey : privateKey))
  const keyPair = publicKey.extractable
    ? pair
    : { privateKey, publicKey: await subtle.importKey('jwk', publicJwk as JsonWebKey, publicKey.algorithm, true, ['verify']) }
  const crypto = privateKey.extractable ? nodeBuiltin<typeof NodeCrypto>('node:crypto') : undefined
  let node: NodeSigningKey | undefined
  try {
    node = crypto === undefined ? undefined : { crypto, key: crypto.KeyObject.from(privateKey as NodeCrypto.webcrypto.CryptoKey) }
  } catch {
    node = undefined
  }
  return { keyPair, publicJwk, node }
}

/** Throws `dpop.key` unless the RSA size suffices and a signature of the private key verifies with the public key. */
async function checkPair(pair: CryptoKeyPair, alg: DPoPAlgorithm, expected: string): Promise<void> {
  const bits = (pair.privateKey.algorithm as Partial<RsaHashedKeyAlgorithm>).modulusLength
  if (bits !== undefined && bits < MIN_RSA_BITS) throw bad('dpop.key', KEY_TYPES)
  const probe = new TextEncoder().encode('tokenwarden DPoP key probe')
  const params = webCryptoSignParams(alg)
  const { subtle } = globalThis.crypto
  let verified: boolean
  try {
    verified = await subtle.verify(params, pair.publicKey, await subtle.sign(params, pair.privateKey, probe), probe)
  } catch {
    verified = false
  }
  if (!verified) throw bad('dpop.key', expected)
}

/** The key for node:crypto, where the runtime has it; `undefined` when it has not (or cannot read it). */
function nodeKey(material: PrivateKeyMaterial): NodeSigningKey | undefined {
  const crypto = nodeBuiltin<typeof NodeCrypto>('node:crypto')
  if (crypto === undefined) return undefined
  try {
    const key =
      material.format === 'jwk'
        ? crypto.createPrivateKey({ key: material.jwk as NodeCrypto.JsonWebKey, format: 'jwk' })
        : crypto.createPrivateKey({ key: material.der as Uint8Array<ArrayBuffer> as never, format: 'der', type: 'pkcs8' })
    return { crypto, key }
  } catch {
    return undefined
  }
}

export function webCryptoMatches(alg: DPoPAlgorithm, algorithm: KeyAlgorithm): boolean {
  const expected = webCryptoAlgorithm(alg) as { name: string; hash?: string; namedCurve?: string }
  const { hash, namedCurve } = algorithm as { hash?: { name?: string }; namedCurve?: string }
  return (
    expected.name === algorithm.name &&
    (expected.hash === undefined || expected.hash === hash?.name) &&
    (expected.namedCurve === undefined || expected.namedCurve === namedCurve)
  )
}

/** A fresh key for `alg`, made with WebCrypto, then taken as given material (so node:crypto can sign with it too). */
export async function generate(alg: DPoPAlgorithm): Promise<MadeKey> {
  const params = webCryptoAlgorithm(alg)
  const generation = params.name.startsWith('RSA') ? { ...params, modulusLength: MIN_RSA_BITS, publicExponent: new Uint8Array([1, 0, 1]) } : params
  const { subtle } = globalThis.crypto
  const pair = (await subtle.generateKey(generation, true, ['sign', 'verify'])) as CryptoKeyPair
  const der = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey))
  const type = alg.startsWith('RS') || alg.startsWith('PS') ? { kty: 'RSA' as const } : alg.startsWith('ES') ? { kty: 'EC' as const } : { kty: 'OKP' as const }
  return fromMaterial({ format: 'pkcs8', der, type }, alg)
}

/** The public JWK's required members (RFC 7638 §3.2), in lexicographic order: its thumbprint input. */
function canonicalJwk(jwk: JsonWebKey): DPoPPublicJwk {
  const { crv, e, kty, n, x, y } = jwk as Record<string, string>
  if (kty === 'RSA') return Object.freeze({ e, kty, n }) as DPoPPublicJwk
  if (kty === 'EC') return Object.freeze({ crv, kty, x, y }) as DPoPPublicJwk
  return Object.freeze({ crv, kty, x }) as DPoPPublicJwk
}
