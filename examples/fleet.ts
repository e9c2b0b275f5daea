/**
 * A fleet: several processes (pods, workers) share one credential through Redis with
 * `@tokenwarden/redis`, so the whole fleet makes one token request where each process would make
 * its own: for the first token, and again after the API rejects it (a fleet-wide 401).
 *
 * Needs a Redis at `REDIS_URL` (default `redis://127.0.0.1:6379`); without one it says how to start
 * one and exits. This program plays the whole fleet: it starts the local IdP, forks three pods of
 * itself (`pod()` below is the code each of your processes runs) and cleans up its Redis keys.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { clientCredentials, credentials, withAuth } from '@tokenwarden/fetch'
import { redisStore } from '@tokenwarden/redis'
import { createClient } from 'redis'
import { startLocalIdp } from './support/local-idp.ts'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const PODS = 3

/** What a pod tells the program after each request. */
interface PodReport {
  pod: string
  status: number
  /** Tokens this pod got from the IdP itself (its source), and tokens it took from a peer through Redis. */
  fromIdp: number
  fromPeers: number
}

/** A setting of a pod, from its environment. */
function setting(name: string): string {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

/** The code of one process of the fleet. */
async function pod(): Promise<void> {
  const apiUrl = setting('API_URL')
  // Your own node-redis client, with the options that let it notice a dead or hung Redis.
  const redis = createClient({ url: REDIS_URL, disableOfflineQueue: true, pingInterval: 1_000, socket: { socketTimeout: 3_000 } })
  redis.on('error', () => {}) // the store reports Redis failures and works without Redis meanwhile
  await redis.connect()
  const store = redisStore({ client: redis, keyPrefix: setting('KEY_PREFIX') }) // in production: encryption: { key }
  const orders = credentials.register('orders', {
    source: clientCredentials({
      issuer: setting('ISSUER'),
      clientId: setting('CLIENT_ID'),
      clientSecret: setting('CLIENT_SECRET'),
      scope: 'api:read',
    }),
    origins: [apiUrl],
    store, // every process with the same Redis, key prefix and credential name shares its token
  })
  let fromIdp = 0
  let fromPeers = 0
  orders.subscribe((event) => {
    if (event.type !== 'updated') return
    if (event.reason === 'stored') fromPeers++
    else fromIdp++
  })
  const ordersFetch = withAuth(fetch, 'orders')

  process.on('message', async (message: 'request' | 'close') => {
    if (message === 'close') {
      await credentials.close()
      await store.close()
      redis.destroy()
      process.disconnect()
      return
    }
    const response = await ordersFetch(`${apiUrl}/orders`)
    await response.body?.cancel()
    const report: PodReport = { pod: setting('POD'), status: response.status, fromIdp, fromPeers }
    fromIdp = fromPeers = 0
    process.send?.(report)
  })
  process.send?.('ready')
}

/** Asks every pod for one request at once; resolves with their reports. */
function requestEverywhere(pods: readonly ChildProcess[]): Promise<PodReport[]> {
  return Promise.all(
    pods.map((child) => {
      const report = new Promise<PodReport>((resolve) => child.once('message', resolve))
      child.send('request')
      return report
    }),
  )
}

function describe(reports: readonly PodReport[]): string {
  const requests = reports.reduce((sum, report) => sum + report.fromIdp, 0)
  for (const report of reports) {
    const how = report.fromIdp > 0 ? 'asked the IdP' : report.fromPeers > 0 ? 'took the token a peer stored in Redis' : 'had the token already'
    console.log(`  pod ${report.pod}: GET /orders → ${report.status}, ${how}`)
  }
  return `${requests} token request${requests === 1 ? '' : 's'}`
}

/** Plays the fleet: the local IdP, three pods of this program, and the clean-up. */
async function main(): Promise<void> {
  const admin = createClient({ url: REDIS_URL, disableOfflineQueue: true, socket: { connectTimeout: 1_000, reconnectStrategy: false } })
  admin.on('error', () => {})
  try {
    await admin.connect()
  } catch {
    console.log(`This example needs Redis, and none answers at ${REDIS_URL}.`)
    console.log("Start one with `redis-server --port 6379 --save '' --appendonly no` (Debian: apt-get install redis-server),")
    console.log('or point REDIS_URL at yours; then run it again.')
    return
  }
  const idp = await startLocalIdp() // an OpenID provider and an API on 127.0.0.1: use your own
  const keyPrefix = `tokenwarden-example:${randomUUID()}:`
  const pods: ChildProcess[] = []
  try {
    for (let i = 1; i <= PODS; i++) {
      const env = {
        ...process.env,
        REDIS_URL,
        KEY_PREFIX: keyPrefix,
        ISSUER: idp.issuer,
        CLIENT_ID: idp.clientId,
        CLIENT_SECRET: idp.clientSecret,
        API_URL: idp.apiUrl,
        POD: String(i),
      }
      pods.push(fork(fileURLToPath(import.meta.url), ['pod'], { env }))
    }
    await Promise.all(pods.map((child) => new Promise((resolve) => child.once('message', resolve))))

    console.log(`${PODS} pods send their first request at once:`)
    const first = describe(await requestEverywhere(pods))
    idp.revokeTokens() // the API now answers 401 to that token, in every pod
    console.log('the API revoked the token; every pod sends a request again:')
    const revoked = describe(await requestEverywhere(pods))
    console.log(`the fleet made ${first} for its first token, ${revoked} after the API revoked it`)
  } finally {
    await Promise.all(
      pods.map((child) => {
        if (child.exitCode !== null) return undefined
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.send('close')
        return exited
      }),
    )
    for await (const keys of admin.scanIterator({ MATCH: `${keyPrefix}*` })) if (keys.length > 0) await admin.unlink(keys)
    admin.destroy()
    await idp.close()
  }
}

if (process.argv[2] === 'pod') await pod()
else await main()
