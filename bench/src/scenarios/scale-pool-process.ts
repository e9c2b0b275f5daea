/**
 * Scenario 6b, run in its own process (see `scale.ts`): one `credentialPool` holding N keys, each
 * with a lazy manager. Heap and `get()` throughput are measured in one pass; live timers are
 * counted in a second pass, with an async hook that would itself take heap in the first. Run alone,
 * it prints its rows: `node --expose-gc --conditions=@tokenwarden/source
 * bench/src/scenarios/scale-pool-process.ts <keys> <gets per round>`.
 */
import { type CredentialPool, type TokenSource, credentialPool } from '@tokenwarden/core'
import { collectGarbage } from '../measure/allocation.ts'
import { median } from '../measure/stats.ts'
import { timersAround } from '../measure/timers.ts'
import type { PoolScaleRow } from '../report/results.ts'

const [keyCount, gets] = process.argv.slice(2).map(Number) as [number, number]
const source: TokenSource = { kind: 'bench', acquire: async () => ({ accessToken: 'a'.repeat(40), expiresIn: 3600 }) }
const origins = ['https://graph.microsoft.com']
/** The keys, made (and flattened, by a Set) before any measurement: the user's strings, not the pool's cost. */
const keys = Array.from({ length: keyCount }, (_, i) => `tenant-${i}`)
new Set(keys)
/** Uniformly spread key indexes for the spread `get()` loop. */
const spread = Uint32Array.from({ length: Math.min(gets, 1_000_000) }, () => Math.floor(Math.random() * keyCount))
let sink: unknown

interface Setup {
  name: string
  /** Whether each key's manager gets its token before the measurement. */
  withToken: boolean
}

const setups: Setup[] = [
  { name: 'idle keys, no token yet', withToken: false },
  { name: 'idle keys, each holding a token', withToken: true },
]

function makePool(): CredentialPool {
  return credentialPool({ name: 'graph-tenants', template: () => ({ source, origins }), max: keyCount, idle: 900 })
}

async function fill(pool: CredentialPool, setup: Setup): Promise<void> {
  for (const key of keys) pool.get(key)
  if (setup.withToken) await Promise.all(keys.map((key) => pool.get(key).getToken()))
}

function hotGets(pool: CredentialPool, n: number): void {
  for (let i = 0; i < n; i++) sink = pool.get('tenant-0')
}

function spreadGets(pool: CredentialPool, n: number): void {
  for (let i = 0; i < n; i++) sink = pool.get(keys[spread[i % spread.length] as number] as string)
}

/** `get()` calls per second: the median of three rounds of `gets` calls, after a warm-up. */
function getsPerSecond(loop: (n: number) => void): number {
  loop(Math.ceil(gets / 10))
  const rates: number[] = []
  for (let round = 0; round < 3; round++) {
    const t0 = process.hrtime.bigint()
    loop(gets)
    rates.push((gets * 1e9) / Number(process.hrtime.bigint() - t0))
  }
  return median(rates)
}

function countRefTimers(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length
}

type HeapFigures = Pick<PoolScaleRow, 'heapBytesPerKey' | 'refTimers' | 'hotGetsPerSecond' | 'spreadGetsPerSecond' | 'heapAfterCloseBytes'>

async function heapPass(setup: Setup): Promise<HeapFigures> {
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  const pool = makePool()
  await fill(pool, setup)
  collectGarbage()
  const heapBytesPerKey = (process.memoryUsage().heapUsed - before) / keyCount
  const refTimers = countRefTimers()
  const hotGetsPerSecond = getsPerSecond((n) => hotGets(pool, n))
  const spreadGetsPerSecond = getsPerSecond((n) => spreadGets(pool, n))
  await pool.close()
  collectGarbage()
  const heapAfterCloseBytes = process.memoryUsage().heapUsed - before
  if (pool.stats().size !== 0 || keys.length !== keyCount) throw new Error('the pool was not emptied')
  return { heapBytesPerKey, refTimers, hotGetsPerSecond, spreadGetsPerSecond, heapAfterCloseBytes }
}

async function timerPass(setup: Setup): Promise<Pick<PoolScaleRow, 'timers' | 'timersAfterClose'>> {
  const pool = makePool()
  return timersAround(
    () => fill(pool, setup),
    () => pool.close(),
  )
}

/** A first small pool, so that loading and compiling the code is not counted against the keys. */
async function warmUp(): Promise<void> {
  const pool = credentialPool({ name: 'warm-up', template: () => ({ source, origins }), max: 1000, idle: 900 })
  for (const key of keys.slice(0, 1000)) await pool.get(key).getToken()
  spreadGets(pool, 1000)
  await pool.close()
}

await warmUp()
const rows: PoolScaleRow[] = []
for (const setup of setups) {
  rows.push({ setup: setup.name, keys: keyCount, ...(await heapPass(setup)), ...(await timerPass(setup)) })
}
if (sink === undefined) throw new Error('no get() ran')
if (process.send === undefined) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`)
else process.send(rows, () => process.disconnect())
