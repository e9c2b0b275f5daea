import type { ResolvedOptions } from '../token-manager-options.ts'
import type { Token } from '../token.ts'
import { type PublishChannel, diagnosticsChannels, publishChannel } from './diagnostics-channels.ts'
import type { TokenServedMessage } from './diagnostics-messages.ts'

/**
 * The `tokenwarden:token:served` channel: published on the hot path, so a manager checks
 * `hasSubscribers` before it calls {@link publishServed}, and makes no message when nobody listens.
 */
export const servedChannel: PublishChannel = publishChannel(diagnosticsChannels.tokenServed)

/** Publishes that `token` was served from memory at `now`. */
export function publishServed(options: Pick<ResolvedOptions, 'name' | 'pool'>, token: Token, now: number, stale: boolean): void {
  const { expiresAt, generation } = token
  const remainingMs = expiresAt === undefined ? undefined : expiresAt - now
  servedChannel.publish({ credential: options.name, pool: options.pool, generation, remainingMs, stale } satisfies TokenServedMessage)
}
