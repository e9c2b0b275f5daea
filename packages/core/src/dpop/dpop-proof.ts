import { type KeyObject, createHash, randomUUID, sign } from 'node:crypto'
import { invalidOption } from '../errors.ts'
import { type DPoPAlgorithm, type SignArguments, signArguments } from './dpop-algorithms.ts'

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

const TOKEN_CHARS = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/

const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url')

/**
 * Signs DPoP proofs with one key, synchronously (node:crypto on a `KeyObject`), so that a proof can
 * be made where a client allows no promise, such as axios's `beforeRedirect`.
 *
 * Rules:
 * - the JOSE header `{ typ, alg, jwk }` is encoded once, at construction;
 * - `ath` is computed once per access token (the last one is kept: a credential sends one token at a time);
 * - each proof gets a fresh random `jti` and the `htu` of the URL actually sent, so a proof costs one
 *   signature, one UUID and a few hundred bytes of encoding.
 */
export class DPoPSigner {
  readonly #prefix: string
  readonly #sign: SignArguments
  #athToken: string | undefined
  #ath: string | undefined

  /** A signer for `alg` with `privateKey`, whose public half is `publicJwk`. */
  constructor(alg: DPoPAlgorithm, privateKey: KeyObject, publicJwk: DPoPPublicJwk) {
    this.#prefix = `${base64url(JSON.stringify({ typ: 'dpop+jwt', alg, jwk: publicJwk }))}.`
    this.#sign = signArguments(alg, privateKey)
  }

  /** A compact JWS DPoP proof for `input`; throws a coded `TypeError` for a malformed input. */
  sign(input: DPoPProofInput): string {
    const { htm, accessToken, nonce, now } = input
    if (typeof htm !== 'string' || !TOKEN_CHARS.test(htm)) throw invalidOption('htm', 'an HTTP method')
    if (!Number.isFinite(now)) throw invalidOption('now', 'a time in epoch milliseconds')
    if (nonce !== undefined && typeof nonce !== 'string') throw invalidOption('nonce', 'a string')
    const claims = {
      jti: randomUUID(),
      htm,
      htu: targetUri(input.htu),
      iat: Math.floor(now / 1000),
      ath: accessToken === undefined ? undefined : this.#accessTokenHash(accessToken),
      nonce,
    }
    const signingInput = this.#prefix + base64url(JSON.stringify(claims))
    const signature = sign(this.#sign.digest, Buffer.from(signingInput, 'utf8'), this.#sign.key)
    return `${signingInput}.${signature.toString('base64url')}`
  }

  #accessTokenHash(accessToken: string): string {
    if (typeof accessToken !== 'string') throw invalidOption('accessToken', 'a string')
    if (accessToken !== this.#athToken) {
      this.#ath = createHash('sha256').update(accessToken, 'utf8').digest('base64url')
      this.#athToken = accessToken
    }
    return this.#ath as string
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
