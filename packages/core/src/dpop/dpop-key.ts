import {
  type Configuration,
  type CryptoKeyPair,
  type DPoPHandle,
  type ModifyAssertionOptions,
  getDPoPHandle,
  modifyAssertion,
} from 'openid-client'
import type { InvalidOptionError } from '../errors.ts'
import { INSPECT, type Inspect } from '../inspect-symbol.ts'
import { base64url } from '../keys/base64url.ts'
import { type PrivateKeyMaterial, isCryptoKey, readPrivateKey } from '../keys/private-key.ts'
import { KEY_KINDS, KEY_TYPES, type MadeKey, bad, fromMaterial, fromPair, generate, webCryptoMatches } from './dpop-key-material.ts'
import { DPOP_ALGORITHMS, type DPoPAlgorithm, algorithmsFor, isDPoPAlgorithm } from './dpop-algorithms.ts'
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
 * A DPoP key as a user gives it: a WebCrypto `CryptoKeyPair`, a private JWK, or a PKCS#8 PEM private
 * key (`BEGIN PRIVATE KEY`; for PKCS#1, SEC1 or encrypted PEM, see `toPkcs8Pem` in
 * `@tokenwarden/core/node`). EC P-256 or P-384, Ed25519, or RSA of at least 2048 bits. Proofs are
 * signed synchronously with node:crypto where the runtime has it, except with a `CryptoKeyPair`
 * whose private key is not extractable; else asynchronously with WebCrypto.
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

/** A user's key, read (not imported yet), and the algorithms it can sign with. */
interface ReadKey {
  /** The key as given: read material, or a `CryptoKeyPair`. */
  readonly source: { readonly material: PrivateKeyMaterial } | { readonly pair: CryptoKeyPair }
  /** The algorithms it can sign with, cheapest first. */
  readonly algorithms: readonly DPoPAlgorithm[]
  /** The algorithm the key itself names (a JWK's `alg`). */
  readonly named: DPoPAlgorithm | undefined
}

interface ParsedOptions {
  readonly key: ReadKey | undefined
  readonly alg: DPoPAlgorithm | undefined
}

/**
 * Checks a credential's `dpop` option (`true`, `false`, `undefined` or {@link DPoPOptions}) and reads
 * its key (its form and type, synchronously, in every runtime), so that a bad one fails where the
 * credential is made; returns the options (`{}` for `true`), or `undefined` when DPoP is off. Throws
 * a coded `TypeError` naming `dpop.key`, `dpop.alg` or `dpop.required`, whose message never holds
 * key material. What only an import can tell (a JWK whose `d` is not its `x`, an RSA key under 2048
 * bits) fails in {@link DPoPKey.from}, at the first token request, with the same code.
 */
export function checkDPoPOptions(value: unknown): DPoPOptions | undefined {
  if (value === undefined || value === false) return undefined
  if (value === true) return {}
  const { key: read, alg } = parseOptions(value)
  if (read !== undefined) chooseAlgorithm(read, alg, undefined)
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
  return { key: key === undefined ? undefined : readKey(key), alg }
}

/**
 * A credential's DPoP key: signs proofs ({@link DPoPKey.proof}) and gives openid-client the same
 * key for the token endpoint ({@link DPoPKey.keyPair}, {@link DPoPKey.handle}). Neither
 * `JSON.stringify` nor `util.inspect` shows its private key.
 *
 * @example
 * ```ts
 * const key = await DPoPKey.from({}, metadata.dpop_signing_alg_values_supported)
 * headers.dpop = await key.proof({ htm: 'GET', htu: url, accessToken, nonce: nonces.get(url.origin), now: clock.now() })
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

  private constructor(alg: DPoPAlgorithm, made: MadeKey, thumbprint: string) {
    this.alg = alg
    this.publicJwk = made.publicJwk
    this.thumbprint = thumbprint
    this.keyPair = made.keyPair
    this.#signer = new DPoPSigner(alg, made.keyPair.privateKey, made.publicJwk, made.node)
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
    const { key, alg } = parseOptions(options)
    if (key !== undefined) {
      const chosen = chooseAlgorithm(key, alg, serverAlgs)
      return DPoPKey.#of(chosen, 'pair' in key.source ? await fromPair(key.source.pair, chosen) : await fromMaterial(key.source.material, chosen))
    }
    const server = listed(serverAlgs)
    const chosen = alg === undefined ? pick(DPOP_ALGORITHMS, 'ES256', server, 'dpop.alg') : pick([alg], alg, server, 'dpop.alg')
    return DPoPKey.#of(chosen, await generate(chosen))
  }

  static async #of(alg: DPoPAlgorithm, made: MadeKey): Promise<DPoPKey> {
    const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(made.publicJwk)))
    return new DPoPKey(alg, made, base64url(new Uint8Array(digest)))
  }

  /**
   * Whether {@link DPoPKey.proof} signs synchronously (node:crypto, where the runtime has it and the
   * key could be given to it) rather than returning a promise (WebCrypto).
   */
  get synchronous(): boolean {
    return this.#signer.synchronous
  }

  /**
   * A DPoP proof (a compact JWS, the `DPoP` header's value) for one request as it is sent: header
   * `{ typ: 'dpop+jwt', alg, jwk }`, claims `{ jti, htm, htu, iat, ath?, nonce? }`. A string when
   * {@link DPoPKey.synchronous}, else a promise of it.
   */
  proof(input: DPoPProofInput): string | Promise<string> {
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
      value(this: DPoPKey, _depth: number, options: object, inspect: Inspect): string {
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

function chooseAlgorithm(material: ReadKey, alg: DPoPAlgorithm | undefined, serverAlgs: readonly string[] | undefined): DPoPAlgorithm {
  const { algorithms } = material
  const explicit = alg ?? material.named
  if (explicit !== undefined) {
    if (!algorithms.includes(explicit)) throw bad('dpop.alg', `an algorithm the key signs with: ${algorithms.join(', ')}`)
    return pick([explicit], explicit, listed(serverAlgs), 'dpop.alg')
  }
  const fallback = algorithms.includes('EdDSA') ? 'EdDSA' : (algorithms[0] as DPoPAlgorithm)
  return pick(algorithms, fallback, listed(serverAlgs), 'dpop.key')
}

/** Reads a user's key (not importing it yet); every failure is a coded error without the key. */
function readKey(input: unknown): ReadKey {
  if (isKeyPair(input)) return readKeyPair(input)
  let material: PrivateKeyMaterial
  try {
    material = readPrivateKey(input, 'dpop.key', KEY_KINDS)
  } catch (error) {
    throw Object.assign(error as InvalidOptionError, { transient: false })
  }
  const named = material.format === 'jwk' ? (input as DPoPPrivateJwk).alg : undefined
  if (named !== undefined && !isDPoPAlgorithm(named)) throw bad('dpop.key', `a JWK whose "alg", when given, is one of ${DPOP_ALGORITHMS.join(', ')}`)
  const algorithms = algorithmsFor(material.type)
  if (algorithms.length === 0) throw bad('dpop.key', KEY_TYPES)
  return { source: { material }, algorithms, named }
}

/**
 * A user's `CryptoKeyPair`. Its algorithm is fixed by its WebCrypto algorithm (openid-client signs
 * with it as it is).
 */
function readKeyPair(pair: CryptoKeyPair): ReadKey {
  const { privateKey, publicKey } = pair
  if (privateKey.type !== 'private' || publicKey.type !== 'public' || !privateKey.usages.includes('sign')) {
    throw bad('dpop.key', 'a CryptoKeyPair with a private key usable to "sign" and its public key')
  }
  const algorithms = DPOP_ALGORITHMS.filter((alg) => webCryptoMatches(alg, privateKey.algorithm))
  if (algorithms.length === 0) throw bad('dpop.key', KEY_TYPES)
  return { source: { pair }, algorithms, named: undefined }
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  if (typeof value !== 'object' || value === null) return false
  const { privateKey, publicKey } = value as Partial<CryptoKeyPair>
  return isCryptoKey(privateKey) && isCryptoKey(publicKey)
}
