import {
  type JsonWebKey,
  KeyObject,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  sign,
  verify,
  type webcrypto,
} from 'node:crypto'
import { type InspectOptionsStylized, inspect, promisify } from 'node:util'
import {
  type Configuration,
  type CryptoKey,
  type CryptoKeyPair,
  type DPoPHandle,
  type ModifyAssertionOptions,
  getDPoPHandle,
  modifyAssertion,
} from 'openid-client'
import { type InvalidOptionError, invalidOption } from '../errors.ts'
import { INSPECT } from '../inspect-symbol.ts'
import {
  DPOP_ALGORITHMS,
  type DPoPAlgorithm,
  algorithmsFor,
  generationFor,
  isDPoPAlgorithm,
  signArguments,
  webCryptoAlgorithm,
} from './dpop-algorithms.ts'
import { type DPoPProofInput, type DPoPPublicJwk, DPoPSigner } from './dpop-proof.ts'

/** A private key as a JWK (RFC 7517): it has the private member `d`. */
export interface DPoPPrivateJwk {
  /** `EC`, `OKP` or `RSA`. */
  kty: string
  /** The private key member. */
  d: string
  /** The key's algorithm, when it names one; used when `alg` is not given. */
  alg?: string
  /** The other members of the JWK. */
  [member: string]: unknown
}

/**
 * A DPoP key as a user gives it: a WebCrypto `CryptoKeyPair` (its private key must be extractable:
 * proofs are signed synchronously with node:crypto), a private JWK, or a PEM private key (PKCS#8,
 * or PKCS#1 / SEC1; not encrypted). EC P-256 or P-384, Ed25519, or RSA of at least 2048 bits.
 */
export type DPoPKeyInput = CryptoKeyPair | DPoPPrivateJwk | string

/** A credential's DPoP settings (`dpop: true` is `{}`). */
export interface DPoPOptions {
  /** The key that signs the proofs. Default: a key generated for the credential. */
  key?: DPoPKeyInput
  /**
   * The algorithm of the proofs; it must suit the key. Default: from the key; for a generated key the
   * cheapest to sign among the server's `dpop_signing_alg_values_supported`, `ES256` when it lists none.
   */
  alg?: DPoPAlgorithm
  /**
   * Refuse a token the server issues as `Bearer` instead of DPoP-bound.
   * @default false
   */
  required?: boolean
}

/** What a {@link DPoPKey} shows of itself: its public parts only. */
export interface DPoPKeyJSON {
  /** The proofs' algorithm. */
  alg: DPoPAlgorithm
  /** The JWK SHA-256 thumbprint (RFC 7638), base64url. */
  thumbprint: string
  /** The public key. */
  publicJwk: DPoPPublicJwk
}

/** A parsed key, before its algorithm is chosen. */
interface KeyMaterial {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  /** The algorithms it can sign with, cheapest first. */
  readonly algorithms: readonly DPoPAlgorithm[]
  /** The algorithm the key itself names (a JWK's `alg`). */
  readonly named: DPoPAlgorithm | undefined
  /** The user's own `CryptoKeyPair`, handed to openid-client as given (its public key made extractable). */
  readonly keyPair: CryptoKeyPair | undefined
}

interface ParsedOptions {
  readonly material: KeyMaterial | undefined
  readonly alg: DPoPAlgorithm | undefined
}

const KEY_KINDS = 'a CryptoKeyPair, a private JWK (with "d") or a PEM private key'
const KEY_TYPES = 'an EC P-256 or P-384, Ed25519 or RSA (at least 2048 bits) private key'

/** A bad DPoP option: coded, naming the option, never its value; not worth retrying. */
function bad(option: string, expected: string): InvalidOptionError {
  return Object.assign(invalidOption(option, expected), { transient: false })
}

/**
 * Checks a credential's `dpop` option (`true`, `false`, `undefined` or {@link DPoPOptions}) and parses
 * its key, so that a bad one fails where the credential is made; returns the options (`{}` for
 * `true`), or `undefined` when DPoP is off. Throws a coded `TypeError` naming `dpop.key`, `dpop.alg`
 * or `dpop.required`, whose message never holds key material.
 */
export function checkDPoPOptions(value: unknown): DPoPOptions | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return {}
  const { material, alg } = parseOptions(value)
  if (material !== undefined) chooseAlgorithm(material, alg, undefined)
  const { key, required } = value as DPoPOptions
  return Object.freeze({
    ...(key === undefined ? {} : { key }),
    ...(alg === undefined ? {} : { alg }),
    ...(required === undefined ? {} : { required }),
  })
}

function parseOptions(value: unknown): ParsedOptions {
  if (typeof value !== 'object' || value === null) throw bad('dpop', 'true, false or an object { key?, alg?, required? }')
  const { key, alg, required } = value as Record<string, unknown>
  if (alg !== undefined && !isDPoPAlgorithm(alg)) throw bad('dpop.alg', `one of ${DPOP_ALGORITHMS.join(', ')}`)
  if (required !== undefined && typeof required !== 'boolean') throw bad('dpop.required', 'a boolean')
  const material = key === undefined ? undefined : readKey(key)
  return { material, alg }
}

/**
 * A credential's DPoP key: signs proofs synchronously ({@link DPoPKey.proof}) and gives openid-client
 * the same key for the token endpoint ({@link DPoPKey.keyPair}, {@link DPoPKey.handle}). Neither
 * `JSON.stringify` nor `util.inspect` shows its private key.
 *
 * @example
 * ```ts
 * const key = await DPoPKey.from({}, metadata.dpop_signing_alg_values_supported)
 * headers.dpop = key.proof({ htm: 'GET', htu: url, accessToken, nonce: nonces.get(url.origin), now: clock.now() })
 * ```
 */
export class DPoPKey {
  /** The proofs' algorithm (their JOSE header's `alg`). */
  readonly alg: DPoPAlgorithm
  /** The JWK SHA-256 thumbprint of the public key (RFC 7638), base64url: a DPoP-bound token's `cnf.jkt`. */
  readonly thumbprint: string
  /** The public key as a JWK, its required members only (no private member). */
  readonly publicJwk: DPoPPublicJwk
  /** The key as WebCrypto keys, for openid-client's `getDPoPHandle(config, keyPair)`; the public key is extractable. */
  readonly keyPair: CryptoKeyPair
  readonly #signer: DPoPSigner

  private constructor(alg: DPoPAlgorithm, material: KeyMaterial) {
    const publicJwk = canonicalJwk(material.publicKey)
    this.alg = alg
    this.publicJwk = publicJwk
    this.thumbprint = createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url')
    this.keyPair = material.keyPair ?? toCryptoKeyPair(alg, material)
    this.#signer = new DPoPSigner(alg, material.privateKey, publicJwk)
  }

  /**
   * The key of `options`, or a new one. `serverAlgs` is the server's
   * `dpop_signing_alg_values_supported`, when known.
   *
   * Rules:
   * - an explicit `alg` must suit the key and, when the server lists algorithms, be one of them;
   * - a given key signs with the cheapest of its algorithms the server lists (an Ed25519 key writes
   *   `Ed25519` when listed, else `EdDSA`; an RSA key `RS256`, else `PS256`); with no list, `EdDSA`
   *   for Ed25519 and `RS256` for RSA;
   * - a generated key is of the cheapest algorithm the server lists, `ES256` when it lists none;
   * - nothing suits → a coded `TypeError` (`transient: false`) naming `dpop.alg` or `dpop.key`.
   */
  static async from(options: DPoPOptions = {}, serverAlgs?: readonly string[]): Promise<DPoPKey> {
    const { material, alg } = parseOptions(options)
    if (material !== undefined) return new DPoPKey(chooseAlgorithm(material, alg, serverAlgs), material)
    const server = listed(serverAlgs)
    const chosen = alg === undefined ? pick(DPOP_ALGORITHMS, 'ES256', server, 'dpop.alg') : pick([alg], alg, server, 'dpop.alg')
    return new DPoPKey(chosen, await generate(chosen))
  }

  /**
   * A DPoP proof (a compact JWS, the `DPoP` header's value) for one request as it is sent: header
   * `{ typ: 'dpop+jwt', alg, jwk }`, claims `{ jti, htm, htu, iat, ath?, nonce? }`. Synchronous.
   */
  proof(input: DPoPProofInput): string {
    return this.#signer.sign(input)
  }

  /**
   * openid-client's DPoP handle for this key, for the token endpoint's proofs: one per credential
   * serves every `Configuration`. For `EdDSA`, the handle's proofs say `EdDSA` too (openid-client
   * writes `Ed25519` by itself).
   */
  handle(config: Configuration): DPoPHandle {
    return getDPoPHandle(config, this.keyPair, this.alg === 'EdDSA' ? WRITE_EDDSA : undefined)
  }

  /** The public parts: algorithm, thumbprint and public JWK. */
  toJSON(): DPoPKeyJSON {
    return { alg: this.alg, thumbprint: this.thumbprint, publicJwk: this.publicJwk }
  }

  static {
    Object.defineProperty(this.prototype, INSPECT, {
      value(this: DPoPKey, _depth: number, options: InspectOptionsStylized): string {
        return `DPoPKey ${inspect(this.toJSON(), { ...options, depth: 2 })}`
      },
    })
  }
}

const WRITE_EDDSA: ModifyAssertionOptions = {
  [modifyAssertion]: (header) => {
    if (header.alg === 'Ed25519') header.alg = 'EdDSA'
  },
}

function listed(serverAlgs: readonly string[] | undefined): readonly string[] {
  return Array.isArray(serverAlgs) ? serverAlgs.filter((alg) => typeof alg === 'string') : []
}

/** The first of `candidates` the server lists; `fallback` when it lists nothing. */
function pick(candidates: readonly DPoPAlgorithm[], fallback: DPoPAlgorithm, server: readonly string[], option: string): DPoPAlgorithm {
  if (server.length === 0) return fallback
  const found = candidates.find((alg) => server.includes(alg))
  if (found === undefined) {
    const among = candidates.join(', ')
    throw bad(
      option,
      option === 'dpop.key'
        ? `a key the server accepts (it signs ${among}; the server's dpop_signing_alg_values_supported lists none of them)`
        : `an algorithm in the server's dpop_signing_alg_values_supported (among ${among})`,
    )
  }
  return found
}

function chooseAlgorithm(material: KeyMaterial, alg: DPoPAlgorithm | undefined, serverAlgs: readonly string[] | undefined): DPoPAlgorithm {
  const { algorithms } = material
  const explicit = alg ?? material.named
  if (explicit !== undefined) {
    if (!algorithms.includes(explicit)) throw bad('dpop.alg', `an algorithm the key signs with: ${algorithms.join(', ')}`)
    return pick([explicit], explicit, listed(serverAlgs), 'dpop.alg')
  }
  const fallback = algorithms.includes('EdDSA') ? 'EdDSA' : (algorithms[0] as DPoPAlgorithm)
  return pick(algorithms, fallback, listed(serverAlgs), 'dpop.key')
}

/** Parses a user's key; every failure is the same coded error, without the key or the parser's message. */
function readKey(input: unknown): KeyMaterial {
  if (isKeyPair(input)) return readKeyPair(input)
  const jwk = typeof input === 'object' && input !== null && typeof (input as DPoPPrivateJwk).d === 'string' ? (input as DPoPPrivateJwk) : undefined
  if (typeof input !== 'string' && jwk === undefined) throw bad('dpop.key', KEY_KINDS)
  const named = jwk?.alg
  if (named !== undefined && !isDPoPAlgorithm(named)) throw bad('dpop.key', `a JWK whose "alg", when given, is one of ${DPOP_ALGORITHMS.join(', ')}`)
  let privateKey: KeyObject
  try {
    privateKey = jwk === undefined ? createPrivateKey(input as string) : createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
  } catch {
    throw bad('dpop.key', KEY_KINDS)
  }
  const algorithms = algorithmsFor(privateKey)
  if (algorithms.length === 0) throw bad('dpop.key', KEY_TYPES)
  const publicKey = createPublicKey(privateKey)
  if (!signsFor(privateKey, publicKey, algorithms[0] as DPoPAlgorithm)) throw bad('dpop.key', 'a private key whose public members belong to it')
  return { privateKey, publicKey, algorithms, named, keyPair: undefined }
}

/** Whether a signature of `privateKey` verifies with `publicKey` (a JWK's `d` may not match its `x`, `y`). */
function signsFor(privateKey: KeyObject, publicKey: KeyObject, alg: DPoPAlgorithm): boolean {
  const probe = Buffer.from('tokenwarden DPoP key probe')
  try {
    const signer = signArguments(alg, privateKey)
    const verifier = signArguments(alg, publicKey)
    return verify(verifier.digest, probe, verifier.key, sign(signer.digest, probe, signer.key))
  } catch {
    return false
  }
}

/**
 * A user's `CryptoKeyPair`. Its algorithm is fixed by its WebCrypto algorithm (openid-client signs
 * with it as it is). The private key must be extractable, to sign synchronously; the public key is
 * checked against it, or replaced by an extractable copy when it is not extractable (openid-client
 * exports it into its proofs).
 */
function readKeyPair(pair: CryptoKeyPair): KeyMaterial {
  const { privateKey: privateCryptoKey, publicKey: publicCryptoKey } = pair
  if (privateCryptoKey.type !== 'private' || publicCryptoKey.type !== 'public' || !privateCryptoKey.usages.includes('sign')) {
    throw bad('dpop.key', 'a CryptoKeyPair with a private key usable to "sign" and its public key')
  }
  if (!privateCryptoKey.extractable) {
    throw bad('dpop.key', 'a CryptoKeyPair whose private key is extractable (proofs are signed synchronously with node:crypto)')
  }
  const privateKey = KeyObject.from(privateCryptoKey as webcrypto.CryptoKey)
  const publicKey = createPublicKey(privateKey)
  const algorithms = algorithmsFor(privateKey).filter((alg) => webCryptoMatches(alg, privateCryptoKey.algorithm))
  if (algorithms.length === 0) throw bad('dpop.key', KEY_TYPES)
  if (publicCryptoKey.extractable && !KeyObject.from(publicCryptoKey as webcrypto.CryptoKey).equals(publicKey)) {
    throw bad('dpop.key', 'a CryptoKeyPair whose public key is the private key\'s')
  }
  const keyPair = publicCryptoKey.extractable
    ? pair
    : { privateKey: privateCryptoKey, publicKey: toCryptoKey(publicKey, publicCryptoKey.algorithm, true, ['verify']) }
  return { privateKey, publicKey, algorithms, named: undefined, keyPair }
}

function webCryptoMatches(alg: DPoPAlgorithm, algorithm: CryptoKey['algorithm']): boolean {
  const expected = webCryptoAlgorithm(alg) as { name: string; hash?: string }
  const hash = (algorithm as { hash?: { name?: string } }).hash?.name
  return expected.name === algorithm.name && (expected.hash === undefined || expected.hash === hash)
}

async function generate(alg: DPoPAlgorithm): Promise<KeyMaterial> {
  const how = generationFor(alg)
  const { privateKey, publicKey } =
    how.type === 'rsa'
      ? await promisify(generateKeyPair)('rsa', { modulusLength: how.modulusLength })
      : how.type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: how.namedCurve })
        : generateKeyPairSync('ed25519')
  return { privateKey, publicKey, algorithms: [alg], named: undefined, keyPair: undefined }
}

/** The key as WebCrypto keys for `alg`: the private key not extractable, the public key extractable. */
function toCryptoKeyPair(alg: DPoPAlgorithm, material: KeyMaterial): CryptoKeyPair {
  const algorithm = webCryptoAlgorithm(alg)
  return {
    privateKey: toCryptoKey(material.privateKey, algorithm, false, ['sign']),
    publicKey: toCryptoKey(material.publicKey, algorithm, true, ['verify']),
  }
}

function toCryptoKey(key: KeyObject, algorithm: webcrypto.AlgorithmIdentifier | CryptoKey['algorithm'], extractable: boolean, usages: webcrypto.KeyUsage[]): CryptoKey {
  return key.toCryptoKey(algorithm as Parameters<KeyObject['toCryptoKey']>[0], extractable, usages) as unknown as CryptoKey
}

/** The public JWK's required members (RFC 7638 §3.2), in lexicographic order: its thumbprint input. */
function canonicalJwk(publicKey: KeyObject): DPoPPublicJwk {
  const jwk = publicKey.export({ format: 'jwk' })
  const { crv, e, kty, n, x, y } = jwk as Record<string, string>
  if (kty === 'RSA') return Object.freeze({ e, kty, n }) as DPoPPublicJwk
  if (kty === 'EC') return Object.freeze({ crv, kty, x, y }) as DPoPPublicJwk
  return Object.freeze({ crv, kty, x }) as DPoPPublicJwk
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  if (typeof value !== 'object' || value === null) return false
  const { privateKey, publicKey } = value as Partial<CryptoKeyPair>
  return isCryptoKey(privateKey) && isCryptoKey(publicKey)
}

/** A WebCrypto key; `CryptoKey` is a global class in every supported Node (not on `webcrypto`). */
function isCryptoKey(value: unknown): value is CryptoKey {
  const CryptoKeyClass = (globalThis as { CryptoKey?: abstract new () => unknown }).CryptoKey
  return CryptoKeyClass !== undefined && value instanceof CryptoKeyClass
}
