import { createClient } from 'redis'

/** A node-redis client as `createClient` makes it here. */
export type AdminClient = ReturnType<typeof newClient>

function newClient(url: string) {
  return createClient({ url, disableOfflineQueue: true })
}

/** The Redis the fleet scenarios share: `REDIS_URL`, else the machine's own at 127.0.0.1:6379. */
export const REDIS_URL: string = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A client of the test's own, for cleaning up: connected, or a failure that says how to start Redis. */
export async function connectAdmin(): Promise<AdminClient> {
  const admin = newClient(REDIS_URL)
  admin.on('error', () => {})
  try {
    await admin.connect()
  } catch (error) {
    throw new Error(
      `No Redis answers at ${REDIS_URL}. Start one with \`redis-server --daemonize yes --port 6379 --save '' --appendonly no\`, or point REDIS_URL at one.`,
      { cause: error },
    )
  }
  return admin
}

/** Removes every key under `prefix` (SCAN + UNLINK, never FLUSHALL) and closes `admin`. */
export async function cleanUp(admin: AdminClient, prefix: string): Promise<void> {
  for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await admin.unlink(keys)
  admin.destroy()
}
