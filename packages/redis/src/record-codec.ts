import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto'
import type { TokenRecord } from '@tokenwarden/core'

/** Encryption at rest of a {@link RedisStore}'s records. */
export interface EncryptionOptions {
  /** The current key: 32 random bytes. New records are encrypted with it. */
  key: Uint8Array
  /** Earlier keys, tried when a record was written with one of them (key rotation). */
  previousKeys?: readonly Uint8Array[] | undefined
}

interface RingKey {
  /** Names the key in a record; derived from it, reveals nothing of it. */
  readonly id: string
  readonly cipherKey: Buffer
  readonly fingerprintKey: Buffer
}

const VERSION = 'v1'
const PLAIN = 'plain'
const IV_BYTES = 12
const TAG_BYTES = 16
const FINGERPRINT_BYTES = 16
/** Without a key the record lies in clear beside its fingerprint: a public key hides nothing less. */
const PUBLIC_FINGERPRINT_KEY = Buffer.from('tokenwarden/redis v1 fingerprint (no encryption key)')

function derive(key: Uint8Array, purpose: string, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', key, new Uint8Array(0), `tokenwarden/redis v1 ${purpose}`, length))
}

function ringKey(key: Uint8Array): RingKey {
  return {
    id: derive(key, 'key id', 8).toString('hex'),
    cipherKey: derive(key, 'record encryption', 32),
    fingerprintKey: derive(key, 'fingerprint', 32),
  }
}

/**
 * How a record is written to and read from Redis. Simple rules:
 * - without a key: `v1:plain:<JSON>`; the stored record is the secret;
 * - with a key: `v1:<key id>:<base64url(IV ‖ ciphertext ‖ tag)>`, AES-256-GCM with a random 96-bit
 *   IV and AAD `v1:<key id>:<full Redis key name>` (a record copied to another key does not open);
 *   the AES and fingerprint keys are HKDF-SHA256 derivations of the user's key;
 * - `decode` answers `undefined` for anything it cannot open or that is not a token record: no key
 *   of that id, a wrong tag, bad JSON, a plaintext record while a key is set. Never an error, which
 *   could quote the text;
 * - only the {@link TokenRecord} fields are written, whatever else the object holds.
 */
export class RecordCodec {
  readonly #current: RingKey | undefined
  readonly #ring: ReadonlyMap<string, RingKey>

  constructor(encryption: EncryptionOptions | undefined) {
    const keys = encryption === undefined ? [] : [encryption.key, ...(encryption.previousKeys ?? [])]
    const ring = keys.map(ringKey)
    this.#current = ring[0]
    this.#ring = new Map(ring.map((key) => [key.id, key]))
  }

  /** The record as stored under the Redis key `name`. */
  encode(name: string, record: TokenRecord): string {
    const json = JSON.stringify(pick(record))
    const key = this.#current
    if (key === undefined) return `${VERSION}:${PLAIN}:${json}`
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv('aes-256-gcm', key.cipherKey, iv)
    cipher.setAAD(Buffer.from(`${VERSION}:${key.id}:${name}`))
    const body = Buffer.concat([iv, cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()])
    return `${VERSION}:${key.id}:${body.toString('base64url')}`
  }

  /** The record stored under `name`, or `undefined` when it cannot be read (see the rules). */
  decode(name: string, text: string): TokenRecord | undefined {
    const [version, id, ...rest] = text.split(':')
    if (version !== VERSION || id === undefined || rest.length === 0) return undefined
    const body = rest.join(':')
    if (id === PLAIN) return this.#current === undefined ? parse(body) : undefined
    const key = this.#ring.get(id)
    if (key === undefined) return undefined
    const bytes = Buffer.from(body, 'base64url')
    if (bytes.length < IV_BYTES + TAG_BYTES) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.cipherKey, bytes.subarray(0, IV_BYTES))
      decipher.setAAD(Buffer.from(`${VERSION}:${id}:${name}`))
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
      const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()])
      return parse(plain.toString('utf8'))
    } catch {
      return undefined
    }
  }

  /** The fingerprint written beside a record: HMAC-SHA256 of the access token, 128 bits. */
  fingerprint(accessToken: string): string {
    return hmac(this.#current?.fingerprintKey ?? PUBLIC_FINGERPRINT_KEY, accessToken)
  }

  /** The fingerprints `accessToken` may have been stored with: one per key of the ring. */
  fingerprints(accessToken: string): string[] {
    if (this.#current === undefined) return [this.fingerprint(accessToken)]
    return [...this.#ring.values()].map((key) => hmac(key.fingerprintKey, accessToken))
  }
}

function hmac(key: Buffer, accessToken: string): string {
  return createHmac('sha256', key).update(accessToken).digest().subarray(0, FINGERPRINT_BYTES).toString('base64url')
}

function pick(record: TokenRecord): TokenRecord {
  return {
    accessToken: record.accessToken,
    tokenType: record.tokenType,
    expiresAt: record.expiresAt,
    refreshAt: record.refreshAt,
    scope: [...record.scope],
    refreshToken: record.refreshToken,
    idToken: record.idToken,
    issuedAt: record.issuedAt,
    source: record.source,
  }
}

const optionalNumber = (value: unknown): boolean => value === undefined || typeof value === 'number'
const optionalString = (value: unknown): boolean => value === undefined || typeof value === 'string'

function parse(json: string): TokenRecord | undefined {
  let value: Partial<Record<keyof TokenRecord, unknown>>
  try {
    value = JSON.parse(json) as typeof value
  } catch {
    return undefined
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    typeof value.accessToken !== 'string' ||
    typeof value.tokenType !== 'string' ||
    typeof value.issuedAt !== 'number' ||
    typeof value.source !== 'string' ||
    !Array.isArray(value.scope) ||
    !value.scope.every((scope) => typeof scope === 'string') ||
    !optionalNumber(value.expiresAt) ||
    !optionalNumber(value.refreshAt) ||
    !optionalString(value.refreshToken) ||
    !optionalString(value.idToken)
  ) {
    return undefined
  }
  return pick(value as TokenRecord)
}
