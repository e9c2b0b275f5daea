import type * as NodeCrypto from 'node:crypto'
import { invalidOption } from '../errors.ts'
import { base64url, base64urlText } from '../keys/base64url.ts'
import { type DPoPAlgorithm, type SignArguments, signArguments, webCryptoSignParams } from './dpop-algorithms.ts'

/** What one DPoP proof is bound to: the request as it is sent, and the token sent with it. */
export interface DPoPProofInput {
  /** The HTTP method of the request as sent (`htm`), such as `GET`. */
  htm: string
  /** The URL of the request as sent; the proof's `htu` is its origin and path, without query and fragment. */
  htu: string | URL
  /** The access token sent with the request; its hash becomes the proof's `ath`. Absent on a token request. */
  accessToken?: string | undefined
  /** The last `DPoP-Nonce` the request's origin sent, when any. */
  nonce?: string | undefined
  /** The current time, epoch milliseconds (the proof's `iat` is in seconds). */
  now: number
}

/** The public members of a DPoP key's JWK (RFC 7517): what a proof's header carries as `jwk`. */
export interface DPoPPublicJwk {
  /** `EC`, `OKP` (Ed25519) or `RSA`. */
  readonly kty: string
  /** The curve of an `EC` or `OKP` key. */
  readonly crv?: string
  /** The public point's x coordinate (`EC`) or the public key (`OKP`), base64url. */
  readonly x?: string
  /** The public point's y coordinate of an `EC` key, base64url. */
  readonly y?: string
  /** The modulus of an `RSA` key, base64url. */
  readonly n?: string
  /** The public exponent of an `RSA` key, base64url. */
  readonly e?: string
}

/** The synchronous signing key: node:crypto and a `KeyObject` of the same key. */
export interface NodeSigningKey {
  readonly crypto: typeof NodeCrypto
  readonly key: NodeCrypto.KeyObject
}

const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const encoder = new TextEncoder()

/**
 * Signs DPoP proofs with one key: synchronously with node:crypto where the runtime has it (Node,
 * Bun, Deno), so that a proof can be made where a client allows no promise (axios's
 * `beforeRedirect`); else asynchronously with WebCrypto (browsers, workerd).
 *
 * Rules:
 * - the JOSE header `{ typ, alg, jwk }` is encoded once, at construction;
 * - `ath` is computed once per access token (the last one is kept: a credential sends one token at a time);
 * - each proof gets a fresh random `jti` and the `htu` of the URL actually sent, so a proof costs one
 *   signature, one UUID and a few hundred bytes of encoding.
 */
export class DPoPSigner {
  readonly #prefix: string
  readonly #alg: DPoPAlgorithm
  readonly #privateKey: CryptoKey
  readonly #node: { readonly crypto: typeof NodeCrypto; readonly args: SignArguments } | undefined
  #athToken: string | undefined
  #ath: string | Promise<string> | undefined

  /**
   * A signer for `alg` with `privateKey` (WebCrypto), whose public half is `publicJwk`; `node`, the
   * same key for node:crypto, makes it sign synchronously.
   */
  constructor(alg: DPoPAlgorithm, privateKey: CryptoKey, publicJwk: DPoPPublicJwk, node?: NodeSigningKey) {
    this.#prefix = `${base64urlText(JSON.stringify({ typ: 'dpop+jwt', alg, jwk: publicJwk }))}.`
    this.#alg = alg
    this.#privateKey = privateKey
    this.#node = node === undefined ? undefined : { crypto: node.crypto, args: signArguments(node.crypto, alg, node.key) }
  }

  /** Whether {@link DPoPSigner.sign} returns a string (node:crypto) rather than a promise (WebCrypto). */
  get synchronous(): boolean {
    return this.#node !== undefined
  }

  /**
   * A compact JWS DPoP proof for `input`: a string when signed synchronously, else a promise of it.
   * Throws a coded `TypeError` for a malformed input (synchronously, in both cases).
   */
  sign(input: DPoPProofInput): string | Promise<string> {
    const { htm, accessToken, nonce, now } = input
    if (typeof htm !== 'string' || !TOKEN_CHARS.test(htm)) throw invalidOption('htm', 'an HTTP method')
    if (!Number.isFinite(now)) throw invalidOption('now', 'a time in epoch milliseconds')
    if (nonce !== undefined && typeof nonce !== 'string') throw invalidOption('nonce', 'a string')
    const htu = targetUri(input.htu)
    const ath = accessToken === undefined ? undefined : this.#accessTokenHash(accessToken)
    const jti = globalThis.crypto.randomUUID()
    const iat = Math.floor(now / 1000)
    const node = this.#node
    if (node !== undefined) {
      const signingInput = this.#prefix + base64urlText(JSON.stringify({ jti, htm, htu, iat, ath: ath as string | undefined, nonce }))
      const { digest, key } = node.args
      return `${signingInput}.${base64url(node.crypto.sign(digest, encoder.encode(signingInput), key))}`
    }
    return this.#signAsync({ jti, htm, htu, iat, ath, nonce })
  }

  async #signAsync(claims: { jti: string; htm: string; htu: string; iat: number; ath: string | Promise<string> | undefined; nonce: string | undefined }): Promise<string> {
    const ath = await claims.ath
    const signingInput = this.#prefix + base64urlText(JSON.stringify({ ...claims, ath }))
    const signature = await globalThis.crypto.subtle.sign(webCryptoSignParams(this.#alg), this.#privateKey, encoder.encode(signingInput))
    return `${signingInput}.${base64url(new Uint8Array(signature))}`
  }

  #accessTokenHash(accessToken: string): string | Promise<string> {
    if (typeof accessToken !== 'string') throw invalidOption('accessToken', 'a string')
    if (accessToken !== this.#athToken) {
      const node = this.#node
      this.#ath =
        node === undefined
          ? globalThis.crypto.subtle.digest('SHA-256', encoder.encode(accessToken)).then((hash) => base64url(new Uint8Array(hash)))
          : node.crypto.createHash('sha256').update(accessToken, 'utf8').digest('base64url')
      this.#athToken = accessToken
    }
    return this.#ath as string | Promise<string>
  }
}

/** A proof's `htu`: the URL's origin and path, without query, fragment or user info (RFC 9449 §4.2). */
export function targetUri(url: string | URL): string {
  const parsed = typeof url === 'string' ? URL.parse(url) : url instanceof URL ? url : null
  if (parsed === null || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
    throw invalidOption('htu', 'an absolute http(s) URL')
  }
  return parsed.origin + parsed.pathname
}
