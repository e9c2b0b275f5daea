import { type TestClient, cleanPrefix, connect, testPrefix } from '@tokenwarden/test-utils/redis'
import { afterAll, beforeAll } from 'vitest'
import { type RedisStore, redisStore } from '../../src/index.ts'

/** The stores of one test file: each on a Redis client of its own, under the file's own key prefix. */
export interface StoreFleet {
  /** The file's key prefix. */
  readonly prefix: string
  /** A client for looking at Redis directly (connected before the first test). */
  readonly admin: TestClient
  /** A store on a client of its own, as a separate process would have. */
  newStore(options?: Partial<Parameters<typeof redisStore>[0]>): Promise<RedisStore>
  /** A credential key no other test of the file uses. */
  newKey(): string
  /** A connected client of the test's own, disconnected when the file ends. */
  newClient(): Promise<TestClient>
  /** Closes `resource` (a store, a manager) when the file ends, before the stores and clients. */
  closeLater(resource: { close(): Promise<unknown> }): void
}

/**
 * A {@link StoreFleet} for the calling test file: after its last test every manager and store is
 * closed, the prefix's keys are removed (SCAN + UNLINK) and every client is disconnected.
 */
export function useStoreFleet(): StoreFleet {
  const prefix = testPrefix()
  const clients: TestClient[] = []
  const closing: { close(): Promise<unknown> }[] = []
  const stores: RedisStore[] = []
  let admin: TestClient | undefined
  let keyCount = 0
  const newClient = async (): Promise<TestClient> => {
    const client = await connect()
    clients.push(client)
    return client
  }
  beforeAll(async () => {
    admin = await connect()
  })
  afterAll(async () => {
    await Promise.all(closing.map((resource) => resource.close()))
    await Promise.all(stores.map((store) => store.close()))
    if (admin !== undefined) await cleanPrefix(admin, prefix)
    for (const client of admin === undefined ? clients : [...clients, admin]) client.destroy()
  })
  return {
    prefix,
    get admin(): TestClient {
      if (admin === undefined) throw new Error('the admin client connects before the first test')
      return admin
    },
    async newStore(options = {}) {
      const store = redisStore({ client: await newClient(), keyPrefix: prefix, ...options })
      stores.push(store)
      return store
    },
    newClient,
    newKey: () => `cred-${++keyCount}`,
    closeLater(resource) {
      closing.push(resource)
    },
  }
}
