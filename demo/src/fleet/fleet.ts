import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import type { World } from '../world.ts'

/** Processes in the demo's fleet, and forced refresh cycles after their first token. */
export const FLEET_PROCESSES = 4
const CYCLES = 2

/** Token requests per phase (first token, then each refresh cycle), with the Redis store and without. */
export interface FleetRun {
  readonly redisUrl: string
  readonly withStore: readonly number[]
  readonly withoutStore: readonly number[]
  /** Calls that failed, both runs together. */
  readonly failures: number
}

/** Why the fleet did not run. */
export interface FleetSkipped {
  readonly skipped: string
}

interface Reply {
  id: number
  attempts?: number
  error?: string
}

/** One forked process of the fleet (`worker.ts`). */
class Member {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: Reply) => void>()
  #next = 1
  readonly ready: Promise<unknown>

  constructor(args: string[]) {
    const execArgv = ['--conditions=@tokenwarden/source']
    this.#child = fork(new URL('./worker.ts', import.meta.url), args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (reply: Reply) => {
      this.#pending.get(reply.id)?.(reply)
      this.#pending.delete(reply.id)
    })
    this.ready = new Promise((resolve) => this.#pending.set(0, resolve))
  }

  send(op: 'get' | 'refresh'): Promise<Reply> {
    const id = this.#next++
    return new Promise((resolve) => {
      this.#pending.set(id, resolve)
      this.#child.send({ id, op })
    })
  }

  close(): Promise<unknown> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.send({ id: this.#next++, op: 'close' })
    return exited
  }
}

/**
 * The fleet: {@link FLEET_PROCESSES} processes share the service client's credential, first through
 * the Redis at `REDIS_URL`, then each alone. Each phase asks every process at once (their first
 * token, then forced refreshes) and counts the token requests the fleet made. Embedded mode only;
 * skipped, and said so, when no Redis answers.
 */
export async function runFleet(
  world: World,
  redisUrl: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<FleetRun | FleetSkipped> {
  if (world.control === undefined || world.clientSecret === undefined) return { skipped: 'needs the embedded IdP' }
  const admin = createClient({ url: redisUrl, disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy: false } })
  admin.on('error', () => {})
  try {
    await admin.connect()
  } catch {
    return {
      skipped: `no Redis answers at ${redisUrl}; start one with \`redis-server --port 6379 --save '' --appendonly no\` (or set REDIS_URL) to see it`,
    }
  }
  const prefix = `tokenwarden-demo:${randomUUID()}:`
  try {
    const withStore = await phases(world, redisUrl, prefix, 'redis')
    const withoutStore = await phases(world, redisUrl, prefix, 'none')
    return { redisUrl, withStore: withStore.requests, withoutStore: withoutStore.requests, failures: withStore.failures + withoutStore.failures }
  } finally {
    for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await admin.unlink(keys)
    admin.destroy()
  }
}

async function phases(world: World, redisUrl: string, prefix: string, mode: 'redis' | 'none'): Promise<{ requests: number[]; failures: number }> {
  const args = [world.issuer, world.clientId, world.clientSecret ?? '', world.scope ?? '', redisUrl, prefix, mode]
  const members = Array.from({ length: FLEET_PROCESSES }, () => new Member(args))
  try {
    await Promise.all(members.map((member) => member.ready))
    const requests: number[] = []
    let failures = 0
    let total = 0
    for (const op of ['get', ...Array<'refresh'>(CYCLES).fill('refresh')] as const) {
      const replies = await Promise.all(members.map((member) => member.send(op)))
      failures += replies.filter((reply) => reply.error !== undefined).length
      const now = replies.reduce((sum, reply) => sum + (reply.attempts ?? 0), 0)
      requests.push(now - total)
      total = now
    }
    return { requests, failures }
  } finally {
    await Promise.all(members.map((member) => member.close()))
  }
}
