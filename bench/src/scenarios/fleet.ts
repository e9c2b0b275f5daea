import { type ChildProcess, fork } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createClient } from 'redis'
import { percentile } from '../measure/stats.ts'
import type { BenchOptions } from '../options.ts'
import type { Check, FleetRow } from '../report/results.ts'

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

interface Reply {
  id: number
  token?: string
  ms?: number
  error?: string
}

/** One forked pod (`fleet-process.ts`). */
class Pod {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: Reply) => void>()
  #next = 1
  readonly ready: Promise<unknown>

  constructor(args: string[]) {
    this.#child = fork(new URL('./fleet-process.ts', import.meta.url), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.#child.on('message', (reply: Reply) => {
      this.#pending.get(reply.id)?.(reply)
      this.#pending.delete(reply.id)
    })
    this.ready = new Promise((resolve) => this.#pending.set(0, resolve))
  }

  send(op: string, count?: number): Promise<Reply> {
    const id = this.#next++
    return new Promise((resolve) => {
      this.#pending.set(id, resolve)
      this.#child.send({ id, op, count })
    })
  }

  close(): Promise<unknown> {
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.send({ id: this.#next++, op: 'close' })
    return exited
  }
}

/**
 * Scenario 7: N processes, one credential, with the Redis store and without it. Each phase sends
 * the same operation to every pod at once and counts token requests: the first token, refresh
 * cycles (every pod forces a refresh at once), a fleet-wide 401. Also: Redis commands per
 * `getToken()` while the token is fresh. Skipped, and said so, when no Redis answers.
 */
export async function fleet(options: BenchOptions): Promise<{ rows: FleetRow[]; checks: Check[]; skipped?: string }> {
  const admin = createClient({ url: REDIS_URL, disableOfflineQueue: true })
  admin.on('error', () => {})
  try {
    await admin.connect()
  } catch {
    return { rows: [], checks: [], skipped: `no Redis answers at ${REDIS_URL}` }
  }
  let tokenRequests = 0
  const server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      tokenRequests++
      const body = JSON.stringify({ access_token: `fleet-${tokenRequests}`, token_type: 'Bearer', expires_in: 3600 })
      setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(body), options.fleet.idpMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
  const prefix = `tw-bench:${randomUUID()}:`
  const rows: FleetRow[] = []
  try {
    for (const processes of options.fleet.processes) {
      for (const mode of ['redis', 'none'] as const) {
        const pods = Array.from({ length: processes }, () => new Pod([endpoint, REDIS_URL, `${prefix}${processes}:`, mode]))
        await Promise.all(pods.map((pod) => pod.ready))
        const phase = async (op: string): Promise<{ requests: number; ms: number[]; failures: number }> => {
          const before = tokenRequests
          const replies = await Promise.all(pods.map((pod) => pod.send(op)))
          return {
            requests: tokenRequests - before,
            ms: replies.flatMap((r) => (r.ms === undefined ? [] : [r.ms])),
            failures: replies.filter((r) => r.error !== undefined).length,
          }
        }
        const first = await phase('get')
        const cycles = []
        for (let i = 0; i < options.fleet.cycles; i++) cycles.push(await phase('refresh'))
        const storm = await phase('reject')
        const commandsBefore = await totalCommands(admin)
        await pods[0]?.send('hot', options.fleet.hotCalls)
        const freshCommands = (await totalCommands(admin)) - commandsBefore - 1
        const waits = cycles.flatMap((c) => c.ms)
        rows.push({
          processes,
          store: mode,
          firstToken: first.requests,
          perCycle: cycles.map((c) => c.requests),
          storm: storm.requests,
          waitP50Ms: percentile(waits, 50),
          waitP99Ms: percentile(waits, 99),
          commandsPerFreshCall: mode === 'redis' ? freshCommands / options.fleet.hotCalls : 0,
          failures: first.failures + storm.failures + cycles.reduce((sum, c) => sum + c.failures, 0),
        })
        await Promise.all(pods.map((pod) => pod.close()))
      }
    }
  } finally {
    server.closeAllConnections()
    server.close()
    for await (const keys of admin.scanIterator({ MATCH: `${prefix}*`, COUNT: 1000 })) if (keys.length > 0) await admin.unlink(keys)
    admin.destroy()
  }
  const checks: Check[] = rows
    .filter((row) => row.store === 'redis')
    .flatMap((row) => [
      {
        kind: 'correctness' as const,
        scenario: `fleet (${row.processes} processes)`,
        contender: '@tokenwarden/redis',
        figure: 'token requests per phase (first token, each refresh cycle, the 401 storm)',
        expected: 'all 1',
        actual: [row.firstToken, ...row.perCycle, row.storm].join(', '),
        ok: [row.firstToken, ...row.perCycle, row.storm].every((n) => n === 1),
      },
      {
        kind: 'correctness' as const,
        scenario: `fleet (${row.processes} processes)`,
        contender: '@tokenwarden/redis',
        figure: 'Redis commands per getToken() while the token is fresh',
        expected: '0',
        actual: String(row.commandsPerFreshCall),
        ok: row.commandsPerFreshCall === 0,
      },
    ])
  return { rows, checks }
}

/** Redis's count of commands processed (this INFO call included). */
async function totalCommands(admin: { info(section: string): Promise<unknown> }): Promise<number> {
  const info = String(await admin.info('stats'))
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? Number.NaN)
}
