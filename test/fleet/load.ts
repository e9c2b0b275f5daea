import { Agent, get } from 'node:http'
import type { Token, TokenManager } from '@tokenwarden/core'

/** What a pod under {@link Load} reports. */
export interface LoadReport {
  /** API calls answered 200. */
  served: number
  /** API calls that failed: a getToken that threw, or an API answer other than 200. */
  failed: number
  /** The first few failures: the error's code, or `HTTP <status>`. */
  failures: string[]
  /** The longest getToken wait, ms: of the calls that ended, and of those still waiting. */
  longestWaitMs: number
  /** Every access token sent to the API, in the order first sent. */
  used: string[]
  /** The access token the manager holds now. */
  held: string | undefined
}

/** Options of {@link Load}. */
export interface LoadOptions {
  /** The API's URL: it answers 200 to a valid bearer token, else 401. */
  api: string
  /** Loops calling at once. */
  loops: number
  /** Pause after each call of a loop, ms. */
  intervalMs: number
}

const MAX_FAILURES_KEPT = 5

/**
 * Requests, as an application does, on `loops` loops: each asks the manager for its token (the
 * wait is timed), sends it to the API, pauses `intervalMs`, and again, until stopped. A request
 * counts as failed when getToken throws or the API does not answer 200: no retry hides a bad token.
 */
export class Load {
  readonly #manager: TokenManager
  readonly #agent = new Agent({ keepAlive: true })
  readonly #running: Promise<void>[]
  /** The getToken calls still waiting: when each began (performance.now()). */
  readonly #waiting = new Set<{ readonly since: number }>()
  readonly #report: Omit<LoadReport, 'held'> = { served: 0, failed: 0, failures: [], longestWaitMs: 0, used: [] }
  #stopped = false

  constructor(manager: TokenManager, options: LoadOptions) {
    this.#manager = manager
    this.#running = Array.from({ length: options.loops }, () => this.#loop(options))
  }

  /** Where the load stands now. */
  report(): LoadReport {
    const now = performance.now()
    const waiting = [...this.#waiting].map((call) => now - call.since)
    const longestWaitMs = Math.max(this.#report.longestWaitMs, ...waiting)
    const { failures, used } = this.#report
    return { ...this.#report, failures: [...failures], used: [...used], longestWaitMs, held: this.#manager.peek()?.accessToken }
  }

  /** Ends the loops once their calls in flight have ended. */
  async stop(): Promise<void> {
    this.#stopped = true
    await Promise.all(this.#running)
    this.#agent.destroy()
  }

  async #loop({ api, intervalMs }: LoadOptions): Promise<void> {
    while (!this.#stopped) {
      await this.#call(api)
      await new Promise((resolve) => setTimeout(resolve, intervalMs))
    }
  }

  async #call(api: string): Promise<void> {
    const report = this.#report
    const call = { since: performance.now() }
    let status: number
    try {
      this.#waiting.add(call)
      let token: Token
      try {
        token = await this.#manager.getToken()
      } finally {
        this.#waiting.delete(call)
        report.longestWaitMs = Math.max(report.longestWaitMs, performance.now() - call.since)
      }
      if (!report.used.includes(token.accessToken)) report.used.push(token.accessToken)
      status = await this.#send(api, token.authorization)
    } catch (error) {
      status = 0
      this.#failed(String((error as { code?: unknown }).code ?? error))
    }
    if (status === 200) report.served++
    else if (status !== 0) this.#failed(`HTTP ${status}`)
  }

  #failed(reason: string): void {
    this.#report.failed++
    if (this.#report.failures.length < MAX_FAILURES_KEPT) this.#report.failures.push(reason)
  }

  #send(api: string, authorization: string): Promise<number> {
    return new Promise((resolve, reject) => {
      get(api, { agent: this.#agent, headers: { authorization } }, (response) => {
        response.resume()
        response.on('end', () => resolve(response.statusCode ?? 0))
        response.on('error', reject)
      }).on('error', reject)
    })
  }
}
