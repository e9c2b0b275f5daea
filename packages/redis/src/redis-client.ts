/**
 * The few methods of a node-redis client (`redis` ≥ 6.3, `createClient()` after `connect()`) the
 * store calls. Any object with these methods works; node-redis's own generics never reach our types.
 */
export interface RedisClientLike {
  /** Sends one raw command, such as `['EVALSHA', sha, '3', …]`, and resolves with its reply. */
  sendCommand(args: readonly string[]): Promise<unknown>
  /** A new, unconnected client with the same options: the store uses one for pub/sub. */
  duplicate(): RedisSubscriberLike
}

/** The methods the store calls on the client it gets from {@link RedisClientLike.duplicate}. */
export interface RedisSubscriberLike {
  /** Connects; the store calls it once. */
  connect(): Promise<unknown>
  /** Subscribes `listener` to `channel`; resolves once Redis confirmed the subscription. */
  subscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<unknown>
  /** Removes `listener` from `channel` (Redis unsubscribes when none is left). */
  unsubscribe(channel: string, listener: (message: string, channel: string) => unknown): Promise<unknown>
  /** Closes the connection at once, rejecting its pending commands. */
  destroy(): void
  /**
   * node-redis emits `error` on connection failures (an emitter without a listener would throw) and
   * `ready` each time the connection is up, the first time and after each reconnect.
   */
  on(event: 'error' | 'ready', listener: (error?: unknown) => void): unknown
}
