/**
 * Scenario 1b, run in its own process (see `adapter-cost.ts`): what each adapter adds to one request
 * with a cached token, over transports that answer at once (no sockets), so that nothing but the
 * client's own work and the adapter's is timed. Hand-set (A) and adapter (B) alternate by round.
 */
import diagnostics_channel from 'node:diagnostics_channel'
import axios, { type AxiosAdapter } from 'axios'
import { Options } from 'got'
import { Dispatcher } from 'undici'
import { withAuth as axiosAuth } from '@tokenwarden/axios'
import { TokenManager, diagnosticsChannels } from '@tokenwarden/core'
import { withAuth as fetchAuth } from '@tokenwarden/fetch'
import { authHooks } from '@tokenwarden/got'
import { authInterceptor } from '@tokenwarden/undici'
import { median } from '../measure/stats.ts'
import type { AdapterCostRow } from '../report/results.ts'

const [iterations, rounds] = process.argv.slice(2).map(Number) as [number, number]
const ORIGIN = 'https://api.example.com'
const URL_STRING = `${ORIGIN}/data`
const ACCESS_TOKEN = 'x'.repeat(40)
const HAND_SET = `Bearer ${ACCESS_TOKEN}`

const manager = new TokenManager({
  name: 'adapter-cost',
  source: { kind: 'bench', acquire: async () => ({ accessToken: ACCESS_TOKEN, expiresIn: 3600 }) },
  origins: [ORIGIN],
})
await manager.getToken()

type Send = () => unknown

/** undici: a Dispatcher whose `dispatch` answers 200 with an empty body before it returns. */
class AnsweringDispatcher extends Dispatcher {
  override dispatch(_opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const controller = { abort() {}, pause() {}, resume() {}, paused: false, aborted: false, reason: null }
    handler.onRequestStart?.(controller, {})
    handler.onResponseStart?.(controller, 200, {}, 'OK')
    handler.onResponseEnd?.(controller, {})
    return true
  }
}
const ignore = { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd() {}, onResponseError() {} }
const undiciSend = (dispatcher: Dispatcher, headers?: Record<string, string>): Send => () =>
  dispatcher.dispatch({ origin: ORIGIN, path: '/data', method: 'GET', headers }, ignore)

/** fetch: a fetch function that answers 200 at once. */
const answer = { status: 200, headers: { get: () => null }, body: null }
const answeringFetch = async (_input: unknown, _init?: unknown) => answer
const fetchWithAuth = fetchAuth(answeringFetch, manager)

/** axios: an adapter that answers 200 at once, on both instances. */
const adapter: AxiosAdapter = async (config) => ({ status: 200, statusText: 'OK', data: '', headers: {}, config, request: {} })
const axiosHandSet = axios.create({ baseURL: ORIGIN, adapter })
const axiosWithAuth = axiosAuth(axios.create({ baseURL: ORIGIN, adapter }), manager)

/** got: the options got builds for each request, and the adapter's hooks run on them as got runs them. */
const { hooks } = authHooks(manager)
const [beforeRequest] = hooks.beforeRequest
const [afterResponse] = hooks.afterResponse
const retryWithMergedOptions = () => {
  throw new Error('no retry on a 200')
}

const pairs: ReadonlyArray<readonly [adapter: string, handSet: Send, withAuth: Send, share: number]> = [
  ['undici', undiciSend(new AnsweringDispatcher(), { authorization: HAND_SET }), undiciSend(new AnsweringDispatcher().compose(authInterceptor(manager))), 1],
  ['axios', () => axiosHandSet.request({ url: '/data', headers: { authorization: HAND_SET } }), () => axiosWithAuth.request({ url: '/data' }), 0.25],
  [
    'got',
    () => new Options(URL_STRING, { headers: { authorization: HAND_SET } }),
    async () => {
      const options = new Options(URL_STRING)
      await beforeRequest!(options as never, { retryCount: 0 })
      await afterResponse!({ statusCode: 200, headers: {}, request: { options } } as never, retryWithMergedOptions as never)
    },
    0.5,
  ],
  ['fetch', () => answeringFetch(URL_STRING, { headers: { authorization: HAND_SET } }), () => fetchWithAuth(URL_STRING), 1],
]

/** Nanoseconds per call of `send`, each call awaited. */
async function nsPerCall(send: Send, n: number): Promise<number> {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < n; i++) await send()
  return Number(process.hrtime.bigint() - t0) / n
}

/** Every channel core publishes on, a tracing channel's events included. */
const channels = Object.values(diagnosticsChannels).flatMap((name) =>
  name === diagnosticsChannels.acquisition ? ['start', 'end', 'asyncStart', 'asyncEnd', 'error'].map((e) => `tracing:${name}:${e}`) : [name],
)
let messages = 0
const count = (): void => {
  messages++
}

/**
 * The undici and fetch pairs again, `<adapter>, channels subscribed`: a subscriber counting messages
 * on every tokenwarden channel while they run (each request then publishes `tokenwarden:token:served`).
 */
const subscribedPairs = pairs
  .filter(([name]) => name === 'undici' || name === 'fetch')
  .map(([name, handSet, withAuth, share]) => [`${name}, channels subscribed`, handSet, withAuth, share] as const)

const rows: AdapterCostRow[] = []
for (const [name, handSet, withAuth, share] of [...pairs, ...subscribedPairs]) {
  const subscribed = name.endsWith('channels subscribed')
  if (subscribed) for (const channel of channels) diagnostics_channel.subscribe(channel, count)
  const n = Math.max(1, Math.round(iterations * share))
  await nsPerCall(handSet, n)
  await nsPerCall(withAuth, n)
  const a: number[] = []
  const b: number[] = []
  for (let round = 0; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? [a, b] : [b, a]
    first.push(await nsPerCall(first === a ? handSet : withAuth, n))
    second.push(await nsPerCall(second === a ? handSet : withAuth, n))
  }
  const added = a.map((ns, i) => (b[i] as number) - ns)
  rows.push({ adapter: name, calls: n, rounds, handSetNs: median(a), withAuthNs: median(b), addedNs: median(added) })
  if (subscribed) for (const channel of channels) diagnostics_channel.unsubscribe(channel, count)
}
if (messages === 0) throw new Error('the adapters published nothing while subscribed')
await manager.close()
process.send?.(rows)
