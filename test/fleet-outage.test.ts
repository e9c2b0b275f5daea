import type { IncomingMessage, ServerResponse } from 'node:http'
import { eventually } from '@tokenwarden/test-utils'
import { type LoopbackServer, listen, readBody, sendJson } from '@tokenwarden/test-utils/http'
import { type OwnRedis, startOwnRedis, testPrefix } from '@tokenwarden/test-utils/redis'
import { type TestContext, afterAll, describe, it } from 'vitest'
import { Pod, type PodReport } from './fleet/pod.ts'
import { type TcpProxy, startTcpProxy } from './fleet/tcp-proxy.ts'

// Forked pods share one credential through a redis-server of the scenario's own (on a free port;
// the shared Redis is never touched), each sending requests on 2 loops, every 100 ms, to a loopback
// API that accepts only tokens the scenario's counting token endpoint issued and that have not
// expired. The first renewal's token request stops Redis (or hangs a TCP proxy in front of it)
// before it is answered, so the lease holder's commit and its waiting peers meet the failure; Redis
// comes back once every pod's store has failed, every pod has acquired a token on its own, and the
// first token has expired.
// Real processes on real time: every bound below is derived from the configured lifetime, lease and
// deadline, plus a margin for a busy 2-core machine; the assertions are on counts and outcomes. The
// two scenarios run at once (4 pods each), so that the file takes one scenario's time.

const PODS = 4
/** Lifetime of every token, s: a pod under load renews it about 2.4 s after issue and stops using it at 2.7 s. */
const LIFETIME_S = 3
/** How long the token endpoint takes to answer, ms. */
const SOURCE_MS = 100
/** The pods' lease, s: a waiter sleeps at most what is left of it before it asks Redis again (its holder's publish may be lost). */
const LEASE_S = 1
/** Scheduling delays of a 2-core machine running the pods, the Redis servers and the test, ms. */
const MARGIN_MS = 1_500
/**
 * The longest a getToken may wait, ms, for a pod whose store has `deadline` (s): a waiter sleeps
 * up to a lease, its next Redis call ends by the deadline, then it acquires on its own.
 */
const longestWaitMs = (deadline: number): number => (LEASE_S + deadline) * 1000 + SOURCE_MS + MARGIN_MS

interface Issued {
  readonly token: string
  /** The pod that asked: `pod-<n>`. */
  readonly client: string
  /** Date.now() when the token expires. */
  readonly expiresAt: number
}

/**
 * One scenario's world: a redis-server of its own (behind a {@link TcpProxy} when asked), a
 * counting token endpoint (`/token`) and an API (`/api`) on one loopback server, and its pods.
 */
class Scenario {
  readonly name: string
  /** Every token issued, in the order its request arrived. */
  readonly issued: Issued[] = []
  pods: Pod[] = []
  redis: OwnRedis | undefined
  proxy: TcpProxy | undefined
  readonly #valid = new Map<string, number>()
  #nextAction: (() => Promise<void>) | undefined
  #closed: Promise<void> | undefined
  #server: LoopbackServer | undefined

  constructor(name: string) {
    this.name = name
  }

  /** Starts Redis, the proxy if `proxied`, the endpoint and {@link PODS} pods with a store `deadline` (s) per Redis call. */
  async start({ proxied, deadline }: { proxied: boolean; deadline: number }): Promise<void> {
    const redis = (this.redis = await startOwnRedis())
    if (proxied) this.proxy = await startTcpProxy(redis.port)
    const redisUrl = this.proxy === undefined ? redis.url : `redis://127.0.0.1:${this.proxy.port}`
    this.#server = await listen((request, response) => void this.#answer(request, response))
    const prefix = testPrefix()
    const args = (i: number): string[] => [this.url('/token'), redisUrl, prefix, String(LEASE_S), String(i)]
    this.pods = Array.from({ length: PODS }, (_, i) => new Pod(args(i), { timeout: deadline }))
    await Promise.all(this.pods.map((pod) => pod.ready))
  }

  url(path: string): string {
    return (this.#server as LoopbackServer).url(path)
  }

  /** `/api` answers 200 to a token issued here that has not expired, else 401; anything else issues a token. */
  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = (await readBody(request)).toString()
    if (request.url === '/api') {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? ''
      return void response.writeHead(Date.now() < (this.#valid.get(token) ?? 0) ? 200 : 401).end()
    }
    const token = `${this.name}-${this.issued.length + 1}`
    const expiresAt = Date.now() + LIFETIME_S * 1000
    this.issued.push({ token, client: new URLSearchParams(body).get('client_id') ?? '', expiresAt })
    this.#valid.set(token, expiresAt)
    const action = this.#nextAction
    this.#nextAction = undefined
    const answer = (): void => {
      setTimeout(() => sendJson(response, 200, { access_token: token, token_type: 'Bearer', expires_in: LIFETIME_S }), SOURCE_MS)
    }
    void Promise.resolve(action?.()).finally(answer)
  }

  /** Resolves, with its index in `issued`, once `action` ran for the next token request, before that request is answered. */
  beforeNextTokenRequest(action: () => Promise<void> | void): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#nextAction = async () => {
        const index = this.issued.length - 1
        try {
          await action()
          resolve(index)
        } catch (error) {
          reject(error)
        }
      }
    })
  }

  reports(): Promise<PodReport[]> {
    return Promise.all(this.pods.map((pod) => pod.report()))
  }

  /** Closes whatever was started, in any state the scenario ended in; once. */
  close(): Promise<void> {
    this.#closed ??= this.#close()
    return this.#closed
  }

  async #close(): Promise<void> {
    this.proxy?.resume()
    await Promise.all(this.pods.map((pod) => pod.close()))
    await this.proxy?.close()
    await this.#server?.close()
    await this.redis?.stop()
  }
}

/** Scenarios not closed yet: each test closes its own; these are left by a test that timed out. */
const scenarios = new Set<Scenario>()

afterAll(async () => {
  await Promise.all([...scenarios].map((scenario) => scenario.close()))
})

/** `promise`, or a failure saying what did not happen once `ms` passed. */
async function within<T>(what: string, promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: still not so after ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([promise, late])
  } finally {
    clearTimeout(timer)
  }
}

/** What a fleet did through an outage; see {@link throughOutage}. */
interface Outcome {
  /** Token requests for the first token. */
  first: number
  /** Pods that sent the API the token they acquired on their own during the outage. */
  servedOwnToken: number
  /** Token requests of the renewal after every pod's store answered again, and the tokens the pods end on. */
  renewal: { requests: number; tokens: Set<string | undefined> }
  /** The pods' reports at the end. */
  final: PodReport[]
}

/**
 * The pods start their load and share their first token; the first renewal's token request runs
 * `outage.begin` before it is answered; once every pod's store reported Redis unavailable, every
 * pod made a token request of its own and the first token has expired, `outage.end`. Then, once
 * every pod's store has answered again and the fleet holds one token (the newest), the next
 * renewal's token requests are counted.
 */
async function throughOutage(
  scenario: Scenario,
  outage: { begin(): Promise<void> | void; end(): Promise<void> | void },
): Promise<Outcome> {
  const { issued } = scenario
  await Promise.all(scenario.pods.map((pod) => pod.load({ api: scenario.url('/api'), loops: 2, intervalMs: 100 })))
  const everyPodHolds = async (): Promise<boolean> => (await scenario.reports()).every((report) => report.held !== undefined)
  await eventually(everyPodHolds, 10_000, { everyMs: 50, what: 'every pod holds a token' })
  const first = issued.length
  const began = scenario.beforeNextTokenRequest(outage.begin)
  const outageFrom = await within('the first renewal began the outage', began, LIFETIME_S * 1000 + 5_000)
  const firstExpiresAt = (issued[0] as Issued).expiresAt
  let during: PodReport[] = []
  await eventually(
    async () => {
      during = await scenario.reports()
      const alone = new Set(issued.slice(outageFrom).map((request) => request.client))
      return during.every((report) => report.unavailable > 0) && alone.size === PODS && Date.now() > firstExpiresAt
    },
    15_000,
    {
      everyMs: 50,
      what: "every pod's store reported Redis unavailable, every pod made a token request of its own, and the first token expired",
    },
  )
  await outage.end()
  const ownTokens = issued.slice(outageFrom)

  let settled = -1
  await eventually(
    async () => {
      const reports = await scenario.reports()
      const newest = issued.length - 1
      // Each `unavailable` is followed by one `recovered` once Redis answers: as many of each = closed breaker.
      const ready = reports.every(
        (report, i) =>
          report.recovered > (during[i] as PodReport).recovered &&
          report.recovered === report.unavailable &&
          report.held === issued[newest]?.token,
      )
      if (ready) settled = newest
      return ready
    },
    20_000,
    { everyMs: 50, what: 'every store answered again and every pod holds the newest token' },
  )
  let tokens = new Set<string | undefined>()
  await eventually(
    async () => {
      tokens = new Set((await scenario.reports()).map((report) => report.held))
      return tokens.size === 1 && !tokens.has(issued[settled]?.token)
    },
    LIFETIME_S * 1000 + 5_000,
    { everyMs: 50, what: 'every pod holds the token of the next renewal' },
  )
  const renewal = { requests: issued.length - settled - 1, tokens }
  const final = await scenario.reports()
  const servedOwnToken = final.filter((report, i) =>
    ownTokens.some((own) => own.client === `pod-${i}` && report.used.includes(own.token)),
  ).length
  return { first, servedOwnToken, renewal, final }
}

/** What must hold after any outage: no failed request, bounded waits, each pod on its own meanwhile, coordination back. */
function expectServedThrough(expect: TestContext['expect'], outcome: Outcome, deadline: number): void {
  const { final } = outcome
  expect(final.map((report) => report.failures)).toEqual(Array(PODS).fill([]))
  expect(final.map((report) => report.failed)).toEqual(Array(PODS).fill(0))
  expect(final.every((report) => report.served > 0)).toBe(true)
  expect(Math.max(...final.map((report) => report.longestWaitMs))).toBeLessThan(longestWaitMs(deadline))
  expect(outcome.first).toBe(1)
  expect(outcome.servedOwnToken).toBe(PODS)
  expect(outcome.renewal.requests).toBe(1)
  expect(outcome.renewal.tokens.size).toBe(1)
}

describe.concurrent('4 processes sharing one credential through Redis, under load, when Redis fails mid-run', () => {
  it('fail no request while Redis is stopped across a renewal and an expiry, each acquiring on its own, and make 1 token request per renewal again once it is restarted', async ({ expect }) => {
    /** The pods' deadline: a refused connection fails at once, so it only has to outlast a busy machine. */
    const deadline = 2
    const scenario = new Scenario('stopped')
    scenarios.add(scenario)
    try {
      await scenario.start({ proxied: false, deadline })
      const redis = scenario.redis as OwnRedis
      const outcome = await throughOutage(scenario, { begin: () => redis.stop(), end: () => redis.start() })
      expectServedThrough(expect, outcome, deadline)
    } finally {
      await scenario.close()
      scenarios.delete(scenario)
    }
  }, 60_000)

  it('fail no request while a proxy in front of Redis hangs across a renewal and an expiry, each Redis call ended by its deadline, and make 1 token request per renewal again once it forwards', async ({
    expect,
  }) => {
    /** A hung call costs the whole deadline: 1 s keeps the outage short and still outlasts a busy machine. */
    const deadline = 1
    const scenario = new Scenario('hung')
    scenarios.add(scenario)
    try {
      await scenario.start({ proxied: true, deadline })
      const proxy = scenario.proxy as TcpProxy
      const outcome = await throughOutage(scenario, { begin: () => proxy.hang(), end: () => proxy.resume() })
      expectServedThrough(expect, outcome, deadline)
    } finally {
      await scenario.close()
      scenarios.delete(scenario)
    }
  }, 60_000)
})
