import { type KeyObject, type PrivateKeyInput, createPrivateKey } from 'node:crypto'
import { invalidOption } from '../errors.ts'

/** Options of {@link toPkcs8Pem}. */
export interface Pkcs8PemOptions {
  /** The passphrase of an encrypted key (`BEGIN ENCRYPTED PRIVATE KEY`, or a legacy `Proc-Type: 4,ENCRYPTED` PEM). */
  passphrase?: string | Uint8Array | undefined
}

/**
 * Converts a private key node:crypto reads — a PKCS#1 (`BEGIN RSA PRIVATE KEY`), SEC1 (`BEGIN EC
 * PRIVATE KEY`) or encrypted PEM, DER bytes, or a `KeyObject` — into an unencrypted PKCS#8 PEM
 * (`BEGIN PRIVATE KEY`): the form core's main entry imports with WebCrypto in every runtime, as a
 * `privateKey` (private_key_jwt) or a `dpop.key`. The result is as secret as the key: keep it out
 * of logs. Throws a coded `TypeError` naming `key` (or `passphrase`), never holding key material.
 *
 * @example
 * ```ts
 * import { readFile } from 'node:fs/promises'
 * import { toPkcs8Pem } from '@tokenwarden/core/node'
 * const privateKey = toPkcs8Pem(await readFile('client-key.pem', 'utf8'), { passphrase: process.env.KEY_PASSPHRASE })
 * const source = clientCredentials({ tokenEndpoint, clientId, privateKey })
 * ```
 */
export function toPkcs8Pem(key: string | Uint8Array | KeyObject, options: Pkcs8PemOptions = {}): string {
  const { passphrase } = options
  if (passphrase !== undefined && typeof passphrase !== 'string' && !(passphrase instanceof Uint8Array)) {
    throw invalidOption('passphrase', 'a string or a Uint8Array')
  }
  let keyObject: KeyObject
  try {
    keyObject =
      typeof key === 'object' && !(key instanceof Uint8Array)
        ? key
        : createPrivateKey((typeof key === 'string' ? { key, passphrase } : { key, format: 'der', type: 'pkcs8', passphrase }) as PrivateKeyInput)
  } catch {
    throw invalidOption('key', 'a private key node:crypto reads (PEM, PKCS#8 DER or a KeyObject), with its passphrase when encrypted')
  }
  if (keyObject.type !== 'private') throw invalidOption('key', 'a private key')
  return keyObject.export({ type: 'pkcs8', format: 'pem' }) as string
}
