/**
 * Scenario 6, run in its own process (see `scale.ts`): N idle `TokenManager`s at once. Heap is
 * measured in one pass; live timers are counted in a second pass, with an async hook that would
 * itself take heap in the first.
 */
import { TokenManager, type TokenManagerOptions, type TokenSource } from '@tokenwarden/core'
import { collectGarbage } from '../measure/allocation.ts'
import { timersAround } from '../measure/timers.ts'
import type { ScaleRow } from '../report/results.ts'

const managers = Number(process.argv[2])
const source: TokenSource = { kind: 'bench', acquire: async () => ({ accessToken: 'a'.repeat(40), expiresIn: 3600 }) }

interface Setup {
  name: string
  options: Partial<TokenManagerOptions>
  /** Whether each manager fetches its token before the measurement. */
  withToken: boolean
}

const setups: Setup[] = [
  { name: "prefetch 'lazy', no token yet", options: { prefetch: 'lazy' }, withToken: false },
  { name: 'holding a token, renewal scheduled (default)', options: {}, withToken: true },
]

async function create(setup: Setup, into: TokenManager[]): Promise<void> {
  for (let i = 0; i < managers; i++) into[i] = new TokenManager({ name: `m${i}`, source, ...setup.options })
  if (setup.withToken) await Promise.all(into.map((manager) => manager.getToken()))
}

function countRefTimers(): number {
  return process.getActiveResourcesInfo().filter((type) => type === 'Timeout').length
}

async function heapPass(setup: Setup): Promise<Pick<ScaleRow, 'heapBytesPerManager' | 'refTimers'>> {
  const held: TokenManager[] = new Array(managers).fill(undefined)
  collectGarbage()
  const before = process.memoryUsage().heapUsed
  await create(setup, held)
  collectGarbage()
  const heapBytesPerManager = (process.memoryUsage().heapUsed - before) / managers
  const refTimers = countRefTimers()
  await Promise.all(held.map((manager) => manager.close()))
  return { heapBytesPerManager, refTimers }
}

async function timerPass(setup: Setup): Promise<Pick<ScaleRow, 'timers' | 'timersAfterClose'>> {
  const held: TokenManager[] = new Array(managers).fill(undefined)
  return timersAround(
    () => create(setup, held),
    () => Promise.all(held.map((manager) => manager.close())),
  )
}

const rows: ScaleRow[] = []
for (const setup of setups) {
  rows.push({ setup: setup.name, managers, ...(await heapPass(setup)), ...(await timerPass(setup)) })
}
process.send?.(rows, () => process.disconnect())
