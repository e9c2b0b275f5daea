import { fromBase64 } from './base64url.ts'

/**
 * What a private key is, as a JWK names it: `RSA`, `EC` with its curve, or `OKP` with its curve
 * (`Ed25519`, `X25519`…). `RSA-PSS` is an RSA key restricted to RSASSA-PSS by its PKCS#8 OID.
 */
export interface KeyType {
  readonly kty: 'RSA' | 'RSA-PSS' | 'EC' | 'OKP' | 'unknown'
  readonly crv?: string | undefined
}

/** The algorithm and curve OIDs of PKCS#8 (RFC 5958) key types, as DER content bytes in hex. */
const ALGORITHM_OIDS: Readonly<Record<string, KeyType>> = {
  '2a864886f70d010101': { kty: 'RSA' },
  '2a864886f70d01010a': { kty: 'RSA-PSS' },
  '2b6570': { kty: 'OKP', crv: 'Ed25519' },
  '2b6571': { kty: 'OKP', crv: 'Ed448' },
  '2b656e': { kty: 'OKP', crv: 'X25519' },
}
const EC_PUBLIC_KEY = '2a8648ce3d0201'
const CURVE_OIDS: Readonly<Record<string, string>> = {
  '2a8648ce3d030107': 'P-256',
  '2b81040022': 'P-384',
  '2b81040023': 'P-521',
  '2b8104000a': 'secp256k1',
}

/** A PEM block: its label (`PRIVATE KEY`, `RSA PRIVATE KEY`…) and its DER bytes. */
export interface Pem {
  readonly label: string
  readonly der: Uint8Array
}

const PEM = /^\s*-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)\r?\n?-----END \1-----\s*$/

/** The one PEM block `text` holds, or `undefined` when it holds none (or a broken one). */
export function readPem(text: string): Pem | undefined {
  const match = PEM.exec(text)
  if (match === null) return undefined
  const body = match[2] as string
  if (/^[A-Za-z-]+:/m.test(body)) return { label: `${match[1]} (with headers)`, der: new Uint8Array() }
  const der = fromBase64(body)
  return der === undefined ? undefined : { label: match[1] as string, der }
}

/**
 * The key type of a PKCS#8 `PrivateKeyInfo` (its algorithm identifier), or `undefined` when `der`
 * is not one. The key itself is left to WebCrypto, which checks it on import.
 */
export function pkcs8KeyType(der: Uint8Array): KeyType | undefined {
  const reader = new DerReader(der)
  const info = reader.enter(0x30)
  if (info === undefined || reader.read(0x02) === undefined) return undefined
  const algorithm = reader.enter(0x30)
  const oid = algorithm === undefined ? undefined : reader.read(0x06)
  if (oid === undefined) return undefined
  const name = hex(oid)
  if (name !== EC_PUBLIC_KEY) return ALGORITHM_OIDS[name] ?? { kty: 'unknown' }
  const curve = reader.read(0x06)
  return { kty: 'EC', crv: curve === undefined ? undefined : (CURVE_OIDS[hex(curve)] ?? 'unknown') }
}

function hex(bytes: Uint8Array): string {
  let text = ''
  for (const byte of bytes) text += byte.toString(16).padStart(2, '0')
  return text
}

/** Reads DER tag-length-value items in order; every read is bounds-checked. */
class DerReader {
  readonly #bytes: Uint8Array
  #at = 0

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes
  }

  /** Reads the header of an item of `tag` and stays inside it; its length, or `undefined`. */
  enter(tag: number): number | undefined {
    return this.#header(tag)
  }

  /** Reads an item of `tag` whole and returns its content. */
  read(tag: number): Uint8Array | undefined {
    const length = this.#header(tag)
    if (length === undefined || this.#at + length > this.#bytes.length) return undefined
    const content = this.#bytes.subarray(this.#at, this.#at + length)
    this.#at += length
    return content
  }

  #header(tag: number): number | undefined {
    const bytes = this.#bytes
    if (bytes[this.#at] !== tag) return undefined
    let length = bytes[this.#at + 1]
    this.#at += 2
    if (length === undefined) return undefined
    if (length >= 0x80) {
      const count = length - 0x80
      if (count < 1 || count > 3) return undefined
      length = 0
      for (let i = 0; i < count; i++) {
        const byte = bytes[this.#at++]
        if (byte === undefined) return undefined
        length = length * 256 + byte
      }
    }
    return this.#at + length <= bytes.length ? length : undefined
  }
}
