import { type ChildProcess, spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:net'
import { type RedisClientType, createClient } from 'redis'

/** The Redis the tests talk to: `REDIS_URL`, else the machine's own at 127.0.0.1:6379. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A node-redis client as the tests create them. */
export type TestClient = RedisClientType

function createTestClient(url: string, resilient: boolean): TestClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: resilient ? { reconnectStrategy: () => 50 } : { connectTimeout: 1000, reconnectStrategy: false },
  })
  client.on('error', () => {})
  return client
}

/**
 * A connected client, or a failure that says how to start Redis: the Redis tests never skip.
 * Offline commands fail at once rather than wait for a reconnect.
 */
export async function connect(url: string = REDIS_URL): Promise<TestClient> {
  const client = createTestClient(url, false)
  try {
    await client.connect()
  } catch (error) {
    client.destroy()
    throw new Error(
      `No Redis answers at ${url}. Start one with \`redis-server --daemonize yes --port 6379 --save '' --appendonly no\` ` +
        '(Debian: apt-get install -y redis-server), or point REDIS_URL at one.',
      { cause: error },
    )
  }
  return client
}

/** A client that reconnects by itself (for tests that stop and restart their own Redis). */
export async function connectResilient(url: string): Promise<TestClient> {
  const client = createTestClient(url, true)
  await client.connect()
  return client
}

/** A key prefix of this test file alone. */
export function testPrefix(): string {
  return `tw-test:${process.pid}:${randomUUID()}:`
}

/** Removes every key under `prefix` (SCAN + UNLINK, never FLUSHALL). */
export async function cleanPrefix(client: TestClient, prefix: string): Promise<void> {
  let cursor = '0'
  do {
    const reply = (await client.sendCommand(['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000'])) as [string, string[]]
    cursor = String(reply[0])
    if (reply[1].length > 0) await client.sendCommand(['UNLINK', ...reply[1]])
  } while (cursor !== '0')
}

/** Keys under `prefix`. */
export async function keysUnder(client: TestClient, prefix: string): Promise<string[]> {
  return (await client.sendCommand(['KEYS', `${prefix}*`])) as string[]
}

/** A redis-server of the test's own on a free port, to stop, hang and restart. */
export interface OwnRedis {
  readonly port: number
  readonly url: string
  /** SIGSTOP: the server keeps its sockets open and answers nothing. */
  hang(): void
  /** SIGCONT. */
  resume(): void
  /** Kills the server (SIGKILL) and waits for it to exit. */
  stop(): Promise<void>
  /** Starts it again on the same port. */
  start(): Promise<void>
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise((resolve) => server.close(resolve))
  if (typeof address !== 'object' || address === null) throw new Error('no free port')
  return address.port
}

/** Starts `/usr/bin/redis-server` (or `REDIS_SERVER`) on a free loopback port, nothing on disk. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort()
  const binary = process.env.REDIS_SERVER ?? 'redis-server'
  let child: ChildProcess | undefined
  const start = async (): Promise<void> => {
    const started = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    })
    child = started
    await new Promise<void>((resolve, reject) => {
      started.once('error', reject)
      started.once('spawn', resolve)
    })
    const until = Date.now() + 5000
    for (;;) {
      try {
        const probe = await connect(`redis://127.0.0.1:${port}`)
        probe.destroy()
        return
      } catch (error) {
        if (Date.now() > until) throw error
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }
  await start()
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    hang: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    stop: async () => {
      const running = child
      if (running === undefined || running.exitCode !== null || running.signalCode !== null) return
      const exited = new Promise((resolve) => running.once('exit', resolve))
      running.kill('SIGKILL')
      await exited
    },
    start,
  }
}
