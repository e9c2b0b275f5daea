import type { Clock, TimerHandle } from '@tokenwarden/core'
import { messageKey } from './channel-message.ts'
import type { RedisClientLike, RedisSubscriberLike } from './redis-client.ts'
import type { RedisGuard } from './redis-guard.ts'

/** One listener's hold on the messages of a store key. */
export interface Listening {
  /** Resolves once Redis confirmed the store's subscription (under the store's deadline). */
  ready(): Promise<void>
  /** Removes the listener; the store's channel is unsubscribed when it was the last of every key. */
  stop(): void
}

type Listener = (message: string) => void

/** One SUBSCRIBE of the channel, from the first listener to the last. */
interface Subscription {
  /** The one function node-redis calls for the channel; it routes each message to its key's listeners. */
  readonly dispatch: (message: string) => void
  /** The SUBSCRIBE, once asked for; cleared when it failed, so the next attempt asks again. */
  subscribed: Promise<void> | undefined
  /** Whether Redis confirmed it: then a `ready` sends nothing. */
  confirmed: boolean
}

const noop = (): void => {}
const RETRY_IN_MS = 1000

/**
 * The store's pub/sub: one connection (a `duplicate()` of the user's client, created on first use
 * and the only one the store closes) and one subscription, to the store's channel, whatever the
 * number of store keys listened to. Each message names its store key; it reaches the listeners of
 * that key only. Simple rules:
 * - the channel is subscribed when the first listener (of any key) arrives and unsubscribed when
 *   the last leaves; a key's listeners are a function, or a `Set` once it has several;
 * - the subscription goes through the store's guard (deadline, breaker), one attempt at a time for
 *   watchers; a `ready` once it is confirmed sends nothing;
 * - while a persistent listener (a watcher) is left and the subscription failed, it is asked for
 *   again every second or so; node-redis itself resubscribes after a reconnect;
 * - a listener that throws does not stop the others;
 * - pub/sub is at-most-once: messages published while the connection was down are lost, so after
 *   a reconnect every `onReconnect` callback runs (a watcher reads its record again).
 */
export class Subscriptions {
  readonly #client: RedisClientLike
  readonly #guard: RedisGuard
  readonly #clock: Clock
  readonly #channel: string
  /** Store key → its listeners. */
  readonly #routes = new Map<string, Listener | Set<Listener>>()
  readonly #onReconnect = new Set<() => void>()
  #persistent = 0
  #current: Subscription | undefined
  /** Whether a watchers' attempt is in flight, or its retry pending. */
  #attempting = false
  #retry: TimerHandle | undefined
  #subscriber: { readonly client: RedisSubscriberLike; readonly ready: Promise<unknown> } | undefined
  #closed = false

  constructor(client: RedisClientLike, guard: RedisGuard, clock: Clock, channel: string) {
    this.#client = client
    this.#guard = guard
    this.#clock = clock
    this.#channel = channel
  }

  /**
   * Calls `listener` with each message about store key `key`. A `persistent` listener makes the
   * store subscribe (and retry) at once, and its `onReconnect` runs after each reconnect.
   */
  listen(key: string, listener: Listener, persistent: boolean, onReconnect?: () => void): Listening {
    this.#add(key, listener)
    const subscription = this.#subscription()
    if (onReconnect !== undefined) this.#onReconnect.add(onReconnect)
    if (persistent) {
      this.#persistent++
      this.#keepSubscribed()
    }
    let stopped = false
    return {
      ready: () => (subscription.confirmed ? Promise.resolve() : this.#guard.run('SUBSCRIBE', () => this.#subscribe(subscription))),
      stop: () => {
        if (stopped) return
        stopped = true
        if (persistent) this.#persistent--
        if (onReconnect !== undefined) this.#onReconnect.delete(onReconnect)
        this.#remove(key, listener)
        if (this.#routes.size === 0) this.#drop()
      },
    }
  }

  /** Ends the subscription and the connection. */
  close(): void {
    this.#closed = true
    this.#routes.clear()
    this.#onReconnect.clear()
    this.#drop()
    const subscriber = this.#subscriber
    this.#subscriber = undefined
    if (subscriber !== undefined) destroy(subscriber.client)
  }

  #add(key: string, listener: Listener): void {
    const listeners = this.#routes.get(key)
    if (listeners === undefined) this.#routes.set(key, listener)
    else if (typeof listeners === 'function') this.#routes.set(key, new Set([listeners, listener]))
    else listeners.add(listener)
  }

  #remove(key: string, listener: Listener): void {
    const listeners = this.#routes.get(key)
    if (listeners === listener) this.#routes.delete(key)
    else if (typeof listeners === 'object') {
      listeners.delete(listener)
      if (listeners.size === 1) this.#routes.set(key, listeners.values().next().value as Listener)
    }
  }

  /** Hands `message` to the listeners of the store key it names, and to no other. */
  #route(message: string): void {
    const key = messageKey(message)
    const listeners = key === undefined ? undefined : this.#routes.get(key)
    if (listeners === undefined) return
    if (typeof listeners === 'function') return call(listeners, message)
    for (const listener of [...listeners]) call(listener, message)
  }

  #subscription(): Subscription {
    if (this.#current !== undefined) return this.#current
    const subscription: Subscription = {
      dispatch: (message) => this.#route(String(message)),
      subscribed: undefined,
      confirmed: false,
    }
    this.#current = subscription
    return subscription
  }

  #subscribe(subscription: Subscription): Promise<void> {
    if (subscription.subscribed !== undefined) return subscription.subscribed
    const subscribed = (async () => {
      const subscriber = this.#connected()
      await subscriber.ready
      await subscriber.client.subscribe(this.#channel, subscription.dispatch)
    })()
    subscription.subscribed = subscribed
    subscribed.then(
      () => {
        if (subscription.subscribed === subscribed) subscription.confirmed = true
      },
      () => {
        if (subscription.subscribed === subscribed) subscription.subscribed = undefined
      },
    )
    return subscribed
  }

  #keepSubscribed(): void {
    const subscription = this.#current
    if (this.#closed || this.#attempting || subscription === undefined || subscription.confirmed) return
    this.#attempting = true
    this.#guard.run('SUBSCRIBE', () => this.#subscribe(subscription)).then(
      () => {
        this.#attempting = false
      },
      () => {
        if (this.#closed || this.#persistent === 0 || this.#current !== subscription) {
          this.#attempting = false
          return
        }
        this.#retry = this.#clock.setTimeout(
          () => {
            this.#retry = undefined
            this.#attempting = false
            if (this.#persistent > 0) this.#keepSubscribed()
          },
          RETRY_IN_MS / 2 + Math.random() * RETRY_IN_MS,
        )
      },
    )
  }

  #drop(): void {
    const subscription = this.#current
    this.#current = undefined
    if (this.#retry !== undefined) this.#clock.clearTimeout(this.#retry)
    this.#retry = undefined
    this.#attempting = false
    const subscriber = this.#subscriber
    if (subscription?.subscribed === undefined || subscriber === undefined || this.#closed) return
    subscription.subscribed.then(() => subscriber.client.unsubscribe(this.#channel, subscription.dispatch)).catch(noop)
  }

  #reconnected(): void {
    for (const callback of [...this.#onReconnect]) {
      try {
        callback()
      } catch {
        // Simple rules: as for listeners, one callback's failure is its own.
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

function call(listener: Listener, message: string): void {
  try {
    listener(message)
  } catch {
    // Simple rules: a listener's failure is its own; the others still hear the message.
  }
}

function destroy(client: RedisSubscriberLike): void {
  try {
    client.destroy()
  } catch {
    // Simple rules: closing is best effort; a client already closed has nothing left to end.
  }
}
