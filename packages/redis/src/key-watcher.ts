import type { Clock, TimerHandle, TokenRecord } from '@tokenwarden/core'
import type { KeyListener } from './subscriptions.ts'

/** A record as stored, not yet decoded: `id` is its fence and fingerprint. */
export interface StoredRecord {
  readonly id: string
  readonly rec: string
  readonly fence: string
}

/** What a {@link KeyWatcher} needs from its store: one object per store, shared by its watchers. */
export interface WatchHost {
  readonly clock: Clock
  /** Names the store in its messages, so that its watchers skip its own commits. */
  readonly origin: string
  /** Reads the record stored under `key`; rejects when Redis fails. */
  read(key: string): Promise<StoredRecord | undefined>
  /** The record `stored` under `key`, decrypted; `undefined` when it cannot be read. */
  decode(key: string, stored: StoredRecord): TokenRecord | undefined
  /** Stops handing `watcher` its key's messages. */
  forget(watcher: KeyWatcher): void
}

/** A watcher's failed read is tried again after 0.5–1.5 s. */
const RETRY_IN_MS = 1000

/**
 * One `watch` of a store key: hears the key's messages, reads the record after a peer's commit
 * and hands it to its listener. Simple rules:
 * - a record is delivered once, known by its fence and fingerprint (not by the fence alone: a
 *   Redis restarted empty counts fences from 1 again); the store's own commits are not read;
 * - a read that failed is tried again in about a second (one retry pending at most), so a watcher
 *   that missed a record still gets it; after a reconnect it reads once, as messages were lost;
 * - a stopped watcher reads nothing more and calls its listener no more; the listener's failure
 *   is its own.
 * A few fields and no closure: a pooled manager without a token holds one (`watch` hands out
 * `stop` bound to it).
 */
export class KeyWatcher implements KeyListener {
  readonly key: string
  readonly #host: WatchHost
  readonly #listener: (record: TokenRecord) => void
  #delivered = ''
  #stopped = false
  #retry: TimerHandle | undefined

  constructor(host: WatchHost, key: string, listener: (record: TokenRecord) => void) {
    this.#host = host
    this.key = key
    this.#listener = listener
  }

  /** Stops the watcher. */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#host.clock.clearTimeout(this.#retry)
    this.#retry = undefined
    this.#host.forget(this)
  }

  /** The store closed. */
  closed(): void {
    this.stop()
  }

  /** A message about the key: a peer's commit not delivered yet is read. */
  hear(message: string): void {
    const [kind, fence, fingerprint, origin] = message.split('|', 4)
    if (kind === 'new' && origin !== this.#host.origin && `${fence}|${fingerprint}` !== this.#delivered) this.#read()
  }

  /** The connection came back: messages published meanwhile were lost, so the record is read. */
  reconnected(): void {
    this.#read()
  }

  #read(): void {
    this.#host.read(this.key).then(
      (stored) => {
        if (this.#stopped || stored === undefined || stored.id === this.#delivered) return
        const record = this.#host.decode(this.key, stored)
        if (record === undefined) return
        this.#delivered = stored.id
        try {
          this.#listener(record)
        } catch {
          // Simple rules: the listener's failure is its own; it never becomes an unhandled rejection.
        }
      },
      () => {
        if (this.#stopped || this.#retry !== undefined) return
        this.#retry = this.#host.clock.setTimeout(
          () => {
            this.#retry = undefined
            if (!this.#stopped) this.#read()
          },
          RETRY_IN_MS / 2 + Math.random() * RETRY_IN_MS,
        )
      },
    )
  }
}
