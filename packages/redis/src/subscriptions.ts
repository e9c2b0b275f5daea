import type { Clock, TimerHandle } from '@tokenwarden/core'
import type { RedisClientLike, RedisSubscriberLike } from './redis-client.ts'
import type { RedisGuard } from './redis-guard.ts'

/** One listener's hold on a channel. */
export interface Listening {
  /** Resolves once Redis confirmed the channel's subscription (under the store's deadline). */
  ready(): Promise<void>
  /** Removes the listener; the channel is unsubscribed when it was the last. */
  stop(): void
}

interface Channel {
  readonly listeners: Set<(message: string) => void>
  /** The one function node-redis calls for this channel; it fans out to `listeners`. */
  readonly dispatch: (message: string) => void
  /** The subscription, once asked for; cleared when it failed, so the next `ready` asks again. */
  subscribed: Promise<void> | undefined
  /** Listeners that need no `ready` (watchers) are subscribed again by this timer after a failure. */
  retry: TimerHandle | undefined
  persistent: number
  /** Called after the connection came back: messages sent while it was down are lost. */
  readonly onReconnect: Set<() => void>
}

const noop = (): void => {}
const RETRY_IN_MS = 1000

/**
 * The store's pub/sub: one connection (a `duplicate()` of the user's client, created on first use
 * and the only one the store closes), one Redis subscription per channel shared by its listeners.
 * Simple rules:
 * - a channel is subscribed when its first listener arrives and unsubscribed when its last leaves;
 * - every subscription goes through the store's guard (deadline, breaker);
 * - a persistent listener (a watcher) whose subscription failed is subscribed again every second
 *   or so until it works or leaves; node-redis itself resubscribes after a reconnect;
 * - a listener that throws does not stop the others;
 * - pub/sub is at-most-once: messages published while the connection was down are lost, so after
 *   a reconnect each channel's `onReconnect` callbacks run (a watcher reads the record again).
 */
export class Subscriptions {
  readonly #client: RedisClientLike
  readonly #guard: RedisGuard
  readonly #clock: Clock
  readonly #channels = new Map<string, Channel>()
  #subscriber: { readonly client: RedisSubscriberLike; readonly ready: Promise<unknown> } | undefined
  #closed = false

  constructor(client: RedisClientLike, guard: RedisGuard, clock: Clock) {
    this.#client = client
    this.#guard = guard
    this.#clock = clock
  }

  /**
   * Calls `listener` with each message on `channel`. A `persistent` listener is subscribed (and
   * retried) at once, and its `onReconnect` runs after each reconnect.
   */
  listen(name: string, listener: (message: string) => void, persistent: boolean, onReconnect?: () => void): Listening {
    const channel = this.#channel(name)
    channel.listeners.add(listener)
    if (onReconnect !== undefined) channel.onReconnect.add(onReconnect)
    if (persistent) {
      channel.persistent++
      this.#keepSubscribed(name, channel)
    }
    let stopped = false
    return {
      ready: () => this.#guard.run('SUBSCRIBE', () => this.#subscribe(name, channel)),
      stop: () => {
        if (stopped) return
        stopped = true
        if (persistent) channel.persistent--
        channel.listeners.delete(listener)
        if (onReconnect !== undefined) channel.onReconnect.delete(onReconnect)
        if (channel.listeners.size === 0) this.#drop(name, channel)
      },
    }
  }

  /** Ends every subscription and the connection. */
  close(): void {
    this.#closed = true
    for (const [name, channel] of this.#channels) this.#drop(name, channel)
    const subscriber = this.#subscriber
    this.#subscriber = undefined
    if (subscriber !== undefined) destroy(subscriber.client)
  }

  #channel(name: string): Channel {
    let channel = this.#channels.get(name)
    if (channel === undefined) {
      const listeners = new Set<(message: string) => void>()
      channel = {
        listeners,
        dispatch: (message) => {
          for (const listener of [...listeners]) {
            try {
              listener(String(message))
            } catch {
              // Simple rules: a listener's failure is its own; the others still hear the message.
            }
          }
        },
        subscribed: undefined,
        retry: undefined,
        persistent: 0,
        onReconnect: new Set(),
      }
      this.#channels.set(name, channel)
    }
    return channel
  }

  #subscribe(name: string, channel: Channel): Promise<void> {
    if (channel.subscribed !== undefined) return channel.subscribed
    const subscribed = (async () => {
      const subscriber = this.#connected()
      await subscriber.ready
      await subscriber.client.subscribe(name, channel.dispatch)
    })()
    channel.subscribed = subscribed
    subscribed.catch(() => {
      if (channel.subscribed === subscribed) channel.subscribed = undefined
    })
    return subscribed
  }

  #keepSubscribed(name: string, channel: Channel): void {
    if (this.#closed || channel.retry !== undefined || this.#channels.get(name) !== channel) return
    this.#guard.run('SUBSCRIBE', () => this.#subscribe(name, channel)).catch(() => {
      if (this.#closed || channel.persistent === 0 || channel.retry !== undefined) return
      channel.retry = this.#clock.setTimeout(
        () => {
          channel.retry = undefined
          if (channel.persistent > 0) this.#keepSubscribed(name, channel)
        },
        RETRY_IN_MS / 2 + Math.random() * RETRY_IN_MS,
      )
    })
  }

  #drop(name: string, channel: Channel): void {
    if (this.#channels.get(name) === channel) this.#channels.delete(name)
    if (channel.retry !== undefined) this.#clock.clearTimeout(channel.retry)
    channel.retry = undefined
    const subscriber = this.#subscriber
    if (channel.subscribed === undefined || subscriber === undefined || this.#closed) return
    channel.subscribed.then(() => subscriber.client.unsubscribe(name, channel.dispatch)).catch(noop)
  }

  #reconnected(): void {
    for (const channel of this.#channels.values()) {
      for (const callback of [...channel.onReconnect]) {
        try {
          callback()
        } catch {
          // Simple rules: as for listeners, one callback's failure is its own.
        }
      }
    }
  }

  #connected(): { readonly client: RedisSubscriberLike; readonly ready: Promise<unknown> } {
    if (this.#subscriber !== undefined) return this.#subscriber
    const client = this.#client.duplicate()
    client.on('error', noop)
    let connected = false
    client.on('ready', () => {
      if (connected && this.#subscriber?.client === client) this.#reconnected()
      connected = true
    })
    const subscriber = { client, ready: client.connect() }
    subscriber.ready.catch(() => {
      if (this.#subscriber !== subscriber) return
      this.#subscriber = undefined
      destroy(client)
    })
    this.#subscriber = subscriber
    return subscriber
  }
}

function destroy(client: RedisSubscriberLike): void {
  try {
    client.destroy()
  } catch {
    // Simple rules: closing is best effort; a client already closed has nothing left to end.
  }
}
