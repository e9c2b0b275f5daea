import { createHash } from 'node:crypto'

/** The Redis names of one store key. */
export interface StoreKeyNames {
  /** Hash `{ rec, fence, fp }`: the record, the fence that wrote it, its fingerprint. */
  readonly token: string
  /** String holding the holder's fence, with the lease's TTL. */
  readonly lease: string
  /** Hash `{ issued, committed }`: the last fence handed out and the last one written. */
  readonly fence: string
}

/**
 * Names every Redis key of `storeKey`. Simple rules: one hash tag per store key, so all its keys sit
 * in one cluster slot and one script may touch them; a store key holding `{` or `}` (which would
 * change the tag) is tagged by its SHA-256 instead, so distinct store keys never share names.
 */
export function keyNames(prefix: string, storeKey: string): StoreKeyNames {
  const tag = /[{}]/.test(storeKey) ? `sha256:${createHash('sha256').update(storeKey).digest('hex')}` : storeKey
  const base = `${prefix}{${tag}}`
  return { token: `${base}:token`, lease: `${base}:lease`, fence: `${base}:fence` }
}
