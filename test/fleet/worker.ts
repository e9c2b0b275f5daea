// One "pod" of a fleet: a TokenManager for the credential `fleet`, its token from the parent's
// counting token endpoint (as client `pod-<n>`, so the endpoint knows who asks), shared with the other pods through a Redis store. The parent drives it
// over IPC: { op: 'get' | 'refresh' | 'reject' | 'close', id, token?, ack? } → { id, token, refreshToken } | { id, error }.
// - `reject` with `token` reacquires that earlier access token of this pod (a late 401 for it);
//   without, the token the pod holds;
// - `ack: true` first answers { id, started: true } once the manager call has begun (its acquisition,
//   if any, has started and knows which token it replaces), then the result;
// - { op: 'load', id, load } starts requests to an API on the pod's token (see `load.ts`) → { id };
//   { op: 'report', id } → { id, report }: the load's report and the store's events so far.
// Options, as JSON after the five positional arguments (all optional):
// - `refreshToken`: use core's `refreshToken` source starting from this refresh token, instead of
//   `clientCredentials`;
// - `watch: false`: the pod never hears of its peers' tokens by pub/sub (as when messages are lost),
//   so it learns of them only when it asks the store;
// - `prefetch: 'async'`: the manager fetches its first token at once and renews it on its timers
//   (default `lazy`: only when asked);
// - `timeout`: the store's deadline per Redis call, s (default 2).
import { type CoordinatingStore, TokenManager, clientCredentials, refreshToken } from '@tokenwarden/core'
import { redisStore } from '@tokenwarden/redis'
import { createClient } from 'redis'
import { Load, type LoadOptions } from './load.ts'
import type { PodOptions, StoreEvents } from './pod.ts'

const [tokenEndpoint, redisUrl, keyPrefix, lease, pod, json] = process.argv.slice(2) as [string, string, string, string, string, string?]
const options = (json === undefined ? {} : JSON.parse(json)) as PodOptions
const client = createClient({ url: redisUrl, disableOfflineQueue: true })
client.on('error', () => {})
await client.connect()
const events: StoreEvents = { unavailable: 0, recovered: 0 }
// A 2 s deadline per Redis call unless `timeout` says otherwise (the store's default is 0.25 s):
// these scenarios count token requests, and on a test machine running many processes on 2 cores a
// slow answer must not count as a Redis failure.
const store = redisStore({
  client,
  keyPrefix,
  lease: Number(lease),
  timeout: options.timeout ?? 2,
  onEvent: (event) => {
    if (event.type === 'unavailable' || event.type === 'recovered') events[event.type]++
  },
})
const deaf: CoordinatingStore = {
  get: (key) => store.get(key),
  set: (key, record) => store.set(key, record),
  delete: (key) => store.delete(key),
  coordinate: (key, request) => store.coordinate(key, request),
  invalidateIfSame: (key, record) => store.invalidateIfSame(key, record),
  watch: () => () => {},
}
const oauth = { tokenEndpoint, clientId: `pod-${pod}`, clientSecret: 'fleet-secret', clientAuth: 'client_secret_post' } as const
const manager = new TokenManager({
  name: 'fleet',
  source: options.refreshToken === undefined ? clientCredentials(oauth) : refreshToken({ ...oauth, refreshToken: options.refreshToken }),
  store: options.watch === false ? deaf : store,
  prefetch: options.prefetch ?? 'lazy',
})

interface Command {
  id: number
  op: 'get' | 'refresh' | 'reject' | 'load' | 'report' | 'close'
  token?: string
  ack?: boolean
  load?: LoadOptions
}

let load: Load | undefined

async function close(): Promise<void> {
  await load?.stop()
  await manager.close()
  await store.close()
  client.destroy()
  process.disconnect()
}

/** Starts `command` on the manager; synchronous up to the manager call, so that the call has begun on return. */
function start(command: Command): Promise<{ accessToken: string; refreshToken?: string | undefined }> {
  if (command.op === 'get') return manager.getToken()
  if (command.op === 'refresh') return manager.refresh()
  if (command.token !== undefined) {
    const older = manager.recognize(`Bearer ${command.token}`)
    return older === undefined ? Promise.reject(new Error(`pod-${pod} never held ${command.token}`)) : manager.reacquire(older)
  }
  const held = manager.peek()
  return held === undefined ? manager.getToken().then((token) => manager.reacquire(token)) : manager.reacquire(held)
}

process.on('message', (command: Command) => {
  if (command.op === 'close') return void close()
  if (command.op === 'load') {
    load ??= new Load(manager, command.load as LoadOptions)
    return void process.send?.({ id: command.id })
  }
  if (command.op === 'report') return void process.send?.({ id: command.id, report: { ...load?.report(), ...events } })
  const running = start(command)
  if (command.ack === true) process.send?.({ id: command.id, started: true })
  running.then(
    (token) => process.send?.({ id: command.id, token: token.accessToken, refreshToken: token.refreshToken }),
    (error: unknown) => process.send?.({ id: command.id, error: String((error as { code?: unknown }).code ?? error) }),
  )
})
// A pod whose parent is gone has nothing left to do.
process.once('disconnect', () => process.exit())
process.send?.({ id: 0, ready: true })
