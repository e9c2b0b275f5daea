/**
 * Scenario 2, run in its own process (see `core-ops.ts`): cached-token operations of
 * `@tokenwarden/core`, against a `Map` lookup as the floor, and the clock read every freshness check
 * makes (`Date.now()`, the default clock's). Each loop has its own function, so that
 * every call site stays monomorphic, as in a real caller.
 */
import diagnostics_channel from 'node:diagnostics_channel'
import { type Token, TokenManager, credentials, diagnosticsChannels } from '@tokenwarden/core'
import { AuthRequest, RequestAuth } from '@tokenwarden/core/adapter'
import { allocatedBytes } from '../measure/allocation.ts'
import { SUBSCRIBED_CURRENT } from './core-ops.ts'
import { median } from '../measure/stats.ts'
import type { CoreRow } from '../report/results.ts'

const [iterations, rounds] = process.argv.slice(2).map(Number) as [number, number]
const URL_STRING = 'https://api.example.com/v1/items?limit=10'
let sink: unknown

function mapGet(map: Map<string, Token>, n: number): void {
  for (let i = 0; i < n; i++) sink = map.get('core')
}
function clockRead(n: number): void {
  for (let i = 0; i < n; i++) sink = Date.now()
}
function current(manager: TokenManager, n: number): void {
  for (let i = 0; i < n; i++) sink = manager.current()
}
function getToken(manager: TokenManager, n: number): void {
  for (let i = 0; i < n; i++) sink = manager.getToken()
}
async function awaitMapGet(map: Map<string, Token>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) sink = await map.get('core')
}
async function awaitGetToken(manager: TokenManager, n: number): Promise<void> {
  for (let i = 0; i < n; i++) sink = await manager.getToken()
}
/** What an adapter asks of core for a request with a cached token, and a 200 to it. */
function beginReadyRespond(auth: RequestAuth, n: number): void {
  for (let i = 0; i < n; i++) {
    const request = auth.begin({ url: URL_STRING, method: 'GET' })
    if (!(request instanceof AuthRequest)) continue
    request.ready()
    sink = request.respond(200, noHeaders) ?? request.authorization
  }
}
const noHeaders = (): undefined => undefined

/**
 * Operations per second of one loop, by the wall clock and by this thread's CPU time (medians of
 * `rounds`), and bytes allocated per call.
 */
async function measure(operation: string, loop: (n: number) => unknown): Promise<CoreRow> {
  await loop(Math.ceil(iterations / 10))
  const wall: number[] = []
  const cpu: number[] = []
  for (let round = 0; round < rounds; round++) {
    const cpu0 = process.threadCpuUsage()
    const t0 = process.hrtime.bigint()
    await loop(iterations)
    wall.push((iterations * 1e9) / Number(process.hrtime.bigint() - t0))
    const { user, system } = process.threadCpuUsage(cpu0)
    cpu.push((iterations * 1e6) / (user + system))
  }
  const sample = Math.min(iterations, 1_000_000)
  const bytes = await allocatedBytes(() => loop(sample))
  return { operation, opsPerSecond: median(wall), cpuOpsPerSecond: median(cpu), bytesPerCall: Math.max(0, bytes / sample) }
}

/** Runs `run` with a subscriber on `tokenwarden:token:served`, the channel `current()` publishes on. */
async function subscribedToServed<T>(run: () => Promise<T>): Promise<T> {
  let messages = 0
  const listener = (): void => {
    messages++
  }
  diagnostics_channel.subscribe(diagnosticsChannels.tokenServed, listener)
  try {
    return await run()
  } finally {
    diagnostics_channel.unsubscribe(diagnosticsChannels.tokenServed, listener)
    if (messages === 0) throw new Error('current() published nothing while subscribed')
  }
}

const manager = credentials.register('core', {
  source: { kind: 'bench', acquire: async () => ({ accessToken: 'a'.repeat(40), expiresIn: 3600 }) },
  origins: ['https://api.example.com'],
})
const token = await manager.getToken()
const map = new Map([['core', token]])
const auth = new RequestAuth('core')

const rows: CoreRow[] = [
  await measure('Map.get (floor)', (n) => mapGet(map, n)),
  await measure('Date.now() (the clock read in each current())', (n) => clockRead(n)),
  await measure('current()', (n) => current(manager, n)),
  await measure('getToken()', (n) => getToken(manager, n)),
  await measure('await Map.get (floor)', (n) => awaitMapGet(map, n)),
  await measure('await getToken()', (n) => awaitGetToken(manager, n)),
  await measure("begin() + ready() + respond(200) (an adapter's core work per request)", (n) => beginReadyRespond(auth, n)),
  await subscribedToServed(() => measure(SUBSCRIBED_CURRENT, (n) => current(manager, n))),
]
void sink
await credentials.close()
process.send?.(rows, () => process.disconnect())
