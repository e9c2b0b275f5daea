import type { CoordinationRequest, TokenRecord } from '@tokenwarden/core'
import type { RedisClientLike } from '../../src/index.ts'

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

/** A Redis client whose commands fail as on a lost connection while `failing` is set. */
export interface FlakyClient {
  readonly client: RedisClientLike
  failing: boolean
}

/** Wraps `client` in a {@link FlakyClient}, answering normally until `failing` is set. */
export function flakyClient(client: RedisClientLike): FlakyClient {
  const flaky: FlakyClient = {
    failing: false,
    client: {
      sendCommand: (args) => (flaky.failing ? Promise.reject(new Error('connection lost')) : client.sendCommand(args)),
      duplicate: () => client.duplicate(),
    },
  }
  return flaky
}
