import PQueue from 'p-queue'
import { invalidOption } from '../errors.ts'

/**
 * Protects authorization servers from a fleet of credentials renewing at once. Simple rules:
 * - every request the OAuth sources send (token requests and discovery) waits for a slot in the
 *   queue of its URL's origin, shared by every credential of the process;
 * - a slot is held from the request's start until its whole answer is read;
 * - a request whose caller aborts while it waits leaves the queue without being sent;
 * - the timeout of a request counts from when it gets its slot, not from when it started waiting.
 */
export const endpointQueueDefaults: Readonly<{ concurrency: number }> = Object.freeze({ concurrency: 4 })

const queues = new Map<string, PQueue>()
let concurrency = endpointQueueDefaults.concurrency

/**
 * Sets how many requests may be in flight at once to one token endpoint origin, across every
 * credential of the process (default 4). Applies to queues that already exist too.
 *
 * @example
 * ```ts
 * setTokenEndpointConcurrency(16) // a larger IdP, or a private one
 * ```
 */
export function setTokenEndpointConcurrency(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1) throw invalidOption('concurrency', 'a positive integer')
  concurrency = limit
  for (const queue of queues.values()) queue.concurrency = limit
}

/** The current limit of requests in flight per token endpoint origin. */
export function tokenEndpointConcurrency(): number {
  return concurrency
}

/**
 * Runs `task` when the queue of `origin` has a free slot. Rejects with the signal's reason, without
 * running `task`, when `signal` aborts while it waits.
 */
export function enqueue<T>(origin: string, task: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  let queue = queues.get(origin)
  if (queue === undefined) {
    queue = new PQueue({ concurrency })
    queues.set(origin, queue)
  }
  return queue.add(task, signal === undefined ? {} : { signal })
}
