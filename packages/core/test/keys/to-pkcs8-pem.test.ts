import { createPrivateKey, generateKeyPairSync } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors.ts'
import { toPkcs8Pem } from '../../src/node.ts'

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const sameKey = (pem: string, key: typeof ec.privateKey): boolean =>
  createPrivateKey(pem).export({ format: 'jwk' }).d === key.export({ format: 'jwk' }).d

describe('toPkcs8Pem (@tokenwarden/core/node)', () => {
  it('converts PKCS#1, SEC1, encrypted PEM, PKCS#8 DER and a KeyObject into the same key as a PKCS#8 PEM', () => {
    const inputs: [Parameters<typeof toPkcs8Pem>[0], typeof ec.privateKey, string | undefined][] = [
      [rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, rsa.privateKey, undefined],
      [ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string, ec.privateKey, undefined],
      [ec.privateKey.export({ type: 'sec1', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string, ec.privateKey, 'pw'],
      [ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string, ec.privateKey, 'pw'],
      [new Uint8Array(ec.privateKey.export({ type: 'pkcs8', format: 'der' })), ec.privateKey, undefined],
      [rsa.privateKey, rsa.privateKey, undefined],
    ]
    for (const [input, key, passphrase] of inputs) {
      const pem = toPkcs8Pem(input, { passphrase })
      expect(pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
      expect(sameKey(pem, key)).toBe(true)
    }
  })

  it('refuses a wrong passphrase, a public key or garbage with a coded TypeError that holds no key material', () => {
    const encrypted = ec.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string
    const cases: [unknown, object | undefined, string][] = [
      [encrypted, { passphrase: 'wrong' }, 'key'],
      [encrypted, undefined, 'key'],
      [ec.publicKey.export({ type: 'spki', format: 'pem' }), undefined, 'key'],
      [ec.publicKey, undefined, 'key'],
      ['not a key', undefined, 'key'],
      [encrypted, { passphrase: 42 }, 'passphrase'],
    ]
    for (const [input, options, option] of cases) {
      let error: unknown
      try {
        toPkcs8Pem(input as string, options as never)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(TypeError)
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTION, option })
      expect(inspect(error, { showHidden: true, depth: 5 })).not.toContain((encrypted.split('\n')[2] as string).slice(0, 40))
    }
  })
})
