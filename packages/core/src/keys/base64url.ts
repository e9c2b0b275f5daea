import type * as NodeBuffer from 'node:buffer'
import { nodeBuiltin } from '../runtime/node-builtin.ts'

const encoder = new TextEncoder()
/** Node's `Buffer`, where the runtime hands it out: the fastest encoder there (Node 22 and 24 lack `toBase64`). */
const Bytes = nodeBuiltin<typeof NodeBuffer>('node:buffer')?.Buffer

/** `Uint8Array.prototype.toBase64` where the runtime has it (Node ≥ 25, Deno, Bun, Chromium ≥ 140, Safari 18.2). */
type ToBase64 = (this: Uint8Array, options: { alphabet: 'base64url'; omitPadding: true }) => string
const toBase64 = (Uint8Array.prototype as { toBase64?: ToBase64 }).toBase64

/** A chunk of bytes turned into a binary string at a time, below every engine's argument limit. */
const CHUNK = 0x8000

/** `bytes` as unpadded base64url (RFC 4648 §5), with no `Buffer`. */
export function base64url(bytes: Uint8Array): string {
  if (toBase64 !== undefined) return toBase64.call(bytes, { alphabet: 'base64url', omitPadding: true })
  if (Bytes !== undefined) return Bytes.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
  let binary = ''
  for (let at = 0; at < bytes.length; at += CHUNK) binary += String.fromCharCode(...bytes.subarray(at, at + CHUNK))
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** `text`, UTF-8 encoded, as unpadded base64url. */
export function base64urlText(text: string): string {
  return Bytes === undefined ? base64url(encoder.encode(text)) : Bytes.from(text, 'utf8').toString('base64url')
}

/** The bytes of standard base64 `text` (whitespace ignored); `undefined` when it is not base64. */
export function fromBase64(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text.replace(/\s+/g, ''))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes
  } catch {
    return undefined
  }
}
