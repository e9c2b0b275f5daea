import type { Clock, TimerHandle } from '@tokenwarden/core'
import { messageKey } from './channel-message.ts'
import type { RedisClientLike, RedisSubscriberLike } from './redis-client.ts'
import type { RedisGuard } from './redis-guard.ts'

/** What listens to the messages of a store key: a waiter, or a watcher. */
export interface KeyListener {
  /** A message about the key. */
  hear(message: string): void
  /**
   * The connection came back after a loss: messages sent meanwhile are lost. A listener with this
   * method is a watcher, kept subscribed while it listens.
   */
  reconnected?(): void
  /** The store closed: the listener hears nothing more. */
  closed?(): void
}

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
 *   the last leaves; a key holds its one listener, or a `Set` once it has several;
 * - the subscription goes through the store's guard (deadline, breaker); for watchers one attempt
 *   at a time, started once the current turn is over; `ready()` once it is confirmed sends nothing;
 * - while a watcher is left and the subscription failed, it is asked for again every second or
 *   so; node-redis itself resubscribes after a reconnect;
 * - a listener that throws does not stop the others;
 * - pub/sub is at-most-once: messages published while the connection was down are lost, so after
 *   a reconnect every watcher's `reconnected` runs (it reads its record again).
 */
export class Subscriptions {
  readonly #client: RedisClientLike
  readonly #guard: RedisGuard
  readonly #clock: Clock
  readonly #channel: string
  /** Store key → its listeners. */
  readonly #routes = new Map<string, KeyListener | Set<KeyListener>>()
  /** Watchers listening. */
  #persistent = 0
  #current: Subscription | undefined
  /** Whether a watchers' attempt is in flight, or its start or retry pending. */
  #attempting = false
  #retry: TimerHandle | undefined
  #starting: ReturnType<typeof setImmediate> | undefined
  #subscriber: { readonly client: RedisSubscriberLike; readonly ready: Promise<unknown> } | undefined
  #closed = false

  constructor(client: RedisClientLike, guard: RedisGuard, clock: Clock, channel: string) {
    this.#client = client
    this.#guard = guard
    this.#clock = clock
    this.#channel = channel
  }

  /**
   * Hands `listener` each message about store key `key`, until {@link Subscriptions.unlisten}. A
   * watcher (a listener with `reconnected`) makes the store subscribe once the current turn is
   * over, and again after a failure.
   */
  listen(key: string, listener: KeyListener): void {
    if (this.#closed) return
    this.#add(key, listener)
    this.#subscription()
    if (listener.reconnected !== undefined) {
      this.#persistent++
      this.#startSoon()
    }
  }

  /** Removes a listener `listen` added; the channel is unsubscribed when it was the last of every key. */
  unlisten(key: string, listener: KeyListener): void {
    if (!this.#remove(key, listener)) return
    if (listener.reconnected !== undefined) this.#persistent--
    if (this.#routes.size === 0) this.#drop()
  }

  /** Resolves once Redis confirmed the subscription (under the store's deadline); call it after `listen`. */
  ready(): Promise<void> {
    const subscription = this.#subscription()
    return subscription.confirmed ? Promise.resolve() : this.#guard.run('SUBSCRIBE', () => this.#subscribe(subscription))
  }

  /** Ends the subscription and the connection, and tells each listener (`closed`). */
  close(): void {
    this.#closed = true
    const listeners = this.#listeners()
    this.#routes.clear()
    this.#persistent = 0
    this.#drop()
    for (const listener of listeners) listener.closed?.()
    const subscriber = this.#subscriber
    this.#subscriber = undefined
    if (subscriber !== undefined) destroy(subscriber.client)
  }

  #add(key: string, listener: KeyListener): void {
    const listeners = this.#routes.get(key)
    if (listeners === undefined) this.#routes.set(key, listener)
    else if (listeners instanceof Set) listeners.add(listener)
    else this.#routes.set(key, new Set([listeners, listener]))
  }

  /** Whether `listener` was listening to `key` (and is no longer). */
  #remove(key: string, listener: KeyListener): boolean {
    const listeners = this.#routes.get(key)
    if (listeners === listener) return this.#routes.delete(key)
    if (!(listeners instanceof Set) || !listeners.delete(listener)) return false
    if (listeners.size === 1) this.#routes.set(key, listeners.values().next().value as KeyListener)
    return true
  }

  /** Hands `message` to the listeners of the store key it names, and to no other. */
  #route(message: string): void {
    const key = messageKey(message)
    const listeners = key === undefined ? undefined : this.#routes.get(key)
    if (listeners === undefined) return
    if (!(listeners instanceof Set)) return hear(listeners, message)
    for (const listener of [...listeners]) hear(listener, message)
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

  /**
   * Starts the watchers' attempt once the current turn is over: watches made in one synchronous
   * burst (a pool making thousands of managers) cost one attempt, whose deadline counts from after
   * the burst, not through it (a deadline run out by the caller's own work would open the breaker).
   */
  #startSoon(): void {
    const subscription = this.#current
    if (this.#closed || this.#attempting || subscription === undefined || subscription.confirmed) return
    this.#attempting = true
    this.#starting = setImmediate(() => {
      this.#starting = undefined
      this.#attempting = false
      this.#keepSubscribed()
    })
    this.#starting.unref()
  }

  #keepSubscribed(): void {
    const subscription = this.#current
    if (this.#closed || this.#attempting || subscription === undefined || subscription.confirmed) return
    this.#attempting = true
    // Simple rules: an attempt for a subscription since dropped leaves the current one's state alone.
    this.#guard.run('SUBSCRIBE', () => this.#subscribe(subscription)).then(
      () => {
        if (this.#current === subscription) this.#attempting = false
      },
      () => {
        if (this.#current !== subscription) return
        if (this.#closed || this.#persistent === 0) {
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
    if (this.#starting !== undefined) clearImmediate(this.#starting)
    this.#retry = undefined
    this.#starting = undefined
    this.#attempting = false
    const subscriber = this.#subscriber
    if (subscription?.subscribed === undefined || subscriber === undefined || this.#closed) return
    subscription.subscribed.then(() => subscriber.client.unsubscribe(this.#channel, subscription.dispatch)).catch(noop)
  }

  #listeners(): KeyListener[] {
    const listeners: KeyListener[] = []
    for (const value of this.#routes.values()) {
      if (value instanceof Set) listeners.push(...value)
      else listeners.push(value)
    }
    return listeners
  }

  #reconnected(): void {
    for (const listener of this.#listeners()) {
      try {
        listener.reconnected?.()
      } catch {
        // Simple rules: as for messages, one watcher's failure is its own.
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

function hear(listener: KeyListener, message: string): void {
  try {
    listener.hear(message)
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
