import { nodeBuiltin } from '../runtime/node-builtin.ts'

/**
 * The `node:diagnostics_channel` channels tokenwarden publishes on, by name. Subscribe with
 * `diagnostics_channel.subscribe(name, listener)`, or `tracingChannel(name).subscribe(handlers)`
 * for {@link diagnosticsChannels.acquisition}; `@tokenwarden/opentelemetry` turns them into spans
 * and metrics. Every message is a plain object without a secret (no token, no claims, no URL).
 */
export const diagnosticsChannels = {
  /**
   * A tracing channel (`tracing:tokenwarden:acquisition:start`, `…:end`, `…:asyncStart`,
   * `…:asyncEnd`, `…:error`) around each acquisition: {@link AcquisitionMessage}.
   */
  acquisition: 'tokenwarden:acquisition',
  /** A cached token was served from memory (to a request, or by `getToken`): {@link TokenServedMessage}. */
  tokenServed: 'tokenwarden:token:served',
  /** A new token is in use: {@link TokenUpdatedMessage}. */
  tokenUpdated: 'tokenwarden:token:updated',
  /** A token was dropped (`invalidate`, or a 401 through `reacquire`): {@link TokenInvalidatedMessage}. */
  tokenInvalidated: 'tokenwarden:token:invalidated',
  /** A background refresh was scheduled: {@link RefreshScheduledMessage}. */
  refreshScheduled: 'tokenwarden:refresh:scheduled',
  /** A source call failed (in the background or while callers wait): {@link RefreshFailedMessage}. */
  refreshFailed: 'tokenwarden:refresh:failed',
  /** A request is sent again after a 401 or 403: {@link RequestRetriedMessage}. */
  requestRetried: 'tokenwarden:request:retried',
  /** A response challenged the token: {@link ChallengeMessage}. */
  challenge: 'tokenwarden:challenge',
  /** A coordinating store (a fleet's) answered an acquisition: {@link StoreCoordinatedMessage}. */
  storeCoordinated: 'tokenwarden:store:coordinated',
  /** The store could not be read or written: {@link StoreFailedMessage}. */
  storeFailed: 'tokenwarden:store:failed',
  /** A credential pool made a key's manager: {@link PoolCreatedMessage}. */
  poolCreated: 'tokenwarden:pool:created',
  /** A credential pool dropped a key's manager: {@link PoolEvictedMessage}. */
  poolEvicted: 'tokenwarden:pool:evicted',
  /** `@tokenwarden/redis`: Redis became unavailable, or answered again: {@link RedisAvailabilityMessage}. */
  redisAvailability: 'tokenwarden:redis:availability',
} as const

/** A channel as core publishes on it: `node:diagnostics_channel`'s, or a no-op. */
export interface PublishChannel {
  readonly hasSubscribers: boolean
  publish(message: unknown): void
}

/** A tracing channel as core uses it: `node:diagnostics_channel`'s, or a no-op. */
export interface TracePromiseChannel {
  readonly hasSubscribers: boolean
  tracePromise<T>(run: () => Promise<T>, context: object): Promise<T>
}

interface DiagnosticsChannelModule {
  channel(name: string): PublishChannel
  tracingChannel?(name: string): TracePromiseChannel
}

/**
 * `node:diagnostics_channel` where the runtime has it (Node, Bun, Deno, workerd with Node
 * compatibility), reached without a static import so that the main entry stays universal.
 */
function diagnosticsChannel(): DiagnosticsChannelModule | undefined {
  const builtin = nodeBuiltin<DiagnosticsChannelModule>('node:diagnostics_channel')
  return typeof builtin?.channel === 'function' ? builtin : undefined
}

const dc = diagnosticsChannel()
const silent: PublishChannel = Object.freeze({ hasSubscribers: false, publish(): void {} })
const untraced: TracePromiseChannel = Object.freeze({
  hasSubscribers: false,
  tracePromise: <T>(run: () => Promise<T>): Promise<T> => run(),
})

/** The channel named `name`; a no-op where the runtime has no `diagnostics_channel`. */
export function publishChannel(name: string): PublishChannel {
  return dc?.channel(name) ?? silent
}

/** The tracing channel named `name`; a no-op where the runtime has none. */
export function tracePromiseChannel(name: string): TracePromiseChannel {
  return dc?.tracingChannel?.(name) ?? untraced
}
