import { type ClientAuth, ClientSecretBasic, ClientSecretPost, None, type PrivateKey, PrivateKeyJwt } from 'openid-client'
import { invalidOption } from '../errors.ts'
import type { KeyType } from '../keys/pkcs8.ts'
import { importPrivateKey, isCryptoKey, readPrivateKey } from '../keys/private-key.ts'
import type { AcquireContext } from '../source.ts'
import { type OAuthClientOptions, type StringProvider, checkProvider, optionalString, readProvided } from './oauth-options.ts'
import { basicCredentialEncode } from './safe-text.ts'

/** How one request authenticates the client, and the secrets it carries (to keep out of errors). */
export interface PreparedClientAuth {
  auth: ClientAuth
  secrets: string[]
}

/** A client's authentication, checked once; {@link ClientAuthentication.prepare} runs per request. */
export interface ClientAuthentication {
  /** Builds the authentication of one request (reading a client assertion afresh). */
  prepare(ctx: AcquireContext): Promise<PreparedClientAuth>
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
const METHODS: readonly string[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt']

/**
 * Checks the client-authentication options and decides the method. Rules:
 * - at most one of `clientSecret`, `privateKey`, `clientAssertion`;
 * - `clientAuth` defaults from the credential: a secret → `client_secret_basic`, a key or an
 *   assertion → `private_key_jwt`, nothing → a public client (`client_id` only);
 * - an explicit `clientAuth` must match the credential given;
 * - a private key (a JWK, a PKCS#8 PEM or a `CryptoKey`) is read now (a bad one throws a coded
 *   `TypeError` at creation; another PEM form points to `@tokenwarden/core/node`), imported into
 *   WebCrypto once, at the first request.
 */
export function clientAuthentication(options: OAuthClientOptions): ClientAuthentication {
  const secret = optionalString(options.clientSecret, 'clientSecret')
  const assertion = checkProvider(options.clientAssertion, 'clientAssertion', false)
  const given = [secret, options.privateKey, assertion].filter((v) => v !== undefined).length
  if (given > 1) throw invalidOption('clientSecret', 'given alone: clientSecret, privateKey and clientAssertion exclude one another')
  const method = options.clientAuth ?? (secret !== undefined ? 'client_secret_basic' : given > 0 ? 'private_key_jwt' : undefined)
  if (method !== undefined && !METHODS.includes(method)) {
    throw invalidOption('clientAuth', "'client_secret_basic', 'client_secret_post' or 'private_key_jwt'")
  }
  if (method === 'client_secret_basic' || method === 'client_secret_post') {
    if (secret === undefined) throw invalidOption('clientSecret', `a non-empty string (clientAuth is '${method}')`)
    const auth = method === 'client_secret_basic' ? ClientSecretBasic(secret) : ClientSecretPost(secret)
    // The Basic credentials as sent, so that a server echoing its Authorization header is scrubbed too.
    const basic = btoa(`${basicCredentialEncode(String(options.clientId))}:${basicCredentialEncode(secret)}`)
    const secrets = method === 'client_secret_basic' ? [secret, basic] : [secret]
    return { prepare: async () => ({ auth, secrets }) }
  }
  if (method === 'private_key_jwt') {
    if (assertion !== undefined) return assertionAuthentication(assertion)
    if (options.privateKey === undefined) throw invalidOption('privateKey', "a private key (clientAuth is 'private_key_jwt')")
    const key = signingKey(options.privateKey, optionalString(options.kid, 'kid'), optionalString(options.alg, 'alg'))
    let imported: Promise<PrivateKey> | undefined
    return {
      async prepare() {
        imported ??= key()
        return { auth: PrivateKeyJwt(await imported), secrets: [] }
      },
    }
  }
  const none = None()
  return { prepare: async () => ({ auth: none, secrets: [] }) }
}

function assertionAuthentication(provider: StringProvider): ClientAuthentication {
  return {
    async prepare(ctx) {
      const assertion = await readProvided(provider, ctx, 'clientAssertion')
      const auth: ClientAuth = (_as, client, body) => {
        body.set('client_id', client.client_id)
        body.set('client_assertion_type', ASSERTION_TYPE)
        body.set('client_assertion', assertion)
      }
      return { auth, secrets: [assertion] }
    },
  }
}

type ImportParams = RsaHashedImportParams | EcKeyImportParams | Algorithm

const RSA: Record<string, string> = { RS: 'RSASSA-PKCS1-v1_5', PS: 'RSA-PSS' }
const CURVES: Record<string, string> = { ES256: 'P-256', ES384: 'P-384', ES512: 'P-521' }
const CURVE_ALGS: Record<string, string> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }
const KEY_KINDS = 'a private key: a JWK with "d", a PKCS#8 PEM string or a private CryptoKey'

/** Reads the key now; returns the (lazy) WebCrypto import. */
function signingKey(input: unknown, kid: string | undefined, alg: string | undefined): () => Promise<PrivateKey> {
  if (isCryptoKey(input)) {
    if (input.type !== 'private') throw invalidOption('privateKey', 'a private CryptoKey')
    return async () => ({ key: input as PrivateKey['key'], kid })
  }
  const material = readPrivateKey(input, 'privateKey', KEY_KINDS)
  const jwk = material.format === 'jwk' ? (input as JsonWebKey & { kid?: unknown }) : undefined
  const algorithm = alg ?? (typeof jwk?.alg === 'string' ? jwk.alg : defaultAlg(material.type))
  const params = importParams(algorithm)
  if (!matches(algorithm, material.type)) throw invalidOption('alg', 'an algorithm the key can sign with')
  const keyId = kid ?? (typeof jwk?.kid === 'string' ? jwk.kid : undefined)
  return async () => {
    try {
      const key = await importPrivateKey(material, params, false)
      return { key: key as PrivateKey['key'], kid: keyId }
    } catch (cause) {
      throw Object.assign(invalidOption('privateKey', 'a key WebCrypto can import for its algorithm'), { transient: false, cause })
    }
  }
}

function defaultAlg(type: KeyType): string {
  switch (type.kty) {
    case 'RSA':
      return 'RS256'
    case 'RSA-PSS':
      return 'PS256'
    case 'EC':
      return CURVE_ALGS[type.crv ?? ''] ?? 'unsupported'
    case 'OKP':
      return type.crv === 'Ed25519' ? 'Ed25519' : 'unsupported'
    default:
      return 'unsupported'
  }
}

function matches(alg: string, type: KeyType): boolean {
  if (/^RS/.test(alg)) return type.kty === 'RSA'
  if (/^PS/.test(alg)) return type.kty === 'RSA' || type.kty === 'RSA-PSS'
  if (alg.startsWith('ES')) return type.kty === 'EC' && CURVE_ALGS[type.crv ?? ''] === alg
  return type.kty === 'OKP' && type.crv === 'Ed25519'
}

function importParams(alg: string): ImportParams {
  const rsa = /^(RS|PS)(256|384|512)$/.exec(alg)
  if (rsa !== null) return { name: RSA[rsa[1] as string] as string, hash: `SHA-${rsa[2]}` }
  const namedCurve = CURVES[alg]
  if (namedCurve !== undefined) return { name: 'ECDSA', namedCurve }
  if (alg === 'EdDSA' || alg === 'Ed25519') return { name: 'Ed25519' }
  throw invalidOption('alg', 'one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA matching the key')
}
