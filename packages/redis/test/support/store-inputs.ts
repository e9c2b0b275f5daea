import type { CoordinationRequest, TokenRecord } from '@tokenwarden/core'

/** A token record that expires `expiresInMs` after `now`. */
export function tokenRecord(accessToken: string, now: number = Date.now(), expiresInMs = 3_600_000): TokenRecord {
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt: now + expiresInMs,
    refreshAt: now + expiresInMs / 2,
    scope: ['read'],
    refreshToken: `refresh-of-${accessToken}`,
    issuedAt: now,
    source: 'test',
  }
}

/** A coordination request counting its `acquire` calls. */
export function request(
  acquire: () => Promise<TokenRecord>,
  options: { usable?: (record: TokenRecord) => boolean; signal?: AbortSignal } = {},
): CoordinationRequest & { acquisitions: number } {
  const counted = {
    reason: 'initial' as const,
    signal: options.signal ?? new AbortController().signal,
    usable: options.usable ?? (() => true),
    acquisitions: 0,
    acquire: () => {
      counted.acquisitions++
      return acquire()
    },
  }
  return counted
}
