import { type ChildProcess, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { LoadOptions, LoadReport } from './load.ts'

const worker = fileURLToPath(new URL('./worker.ts', import.meta.url))

/** A pod's options; see `worker.ts`. */
export interface PodOptions {
  /** Use core's `refreshToken` source from this refresh token, instead of `clientCredentials`. */
  refreshToken?: string
  /** `false`: the pod never hears of its peers' tokens by pub/sub. @default true */
  watch?: boolean
  /** `'async'`: fetch the first token at once and renew on timers. @default 'lazy' */
  prefetch?: 'async'
  /** The store's deadline per Redis call, s. @default 2 */
  timeout?: number
}

/** How often the pod's store reported each event. */
export interface StoreEvents {
  unavailable: number
  recovered: number
}

/** What a pod under load reports: see {@link Pod.report}. */
export type PodReport = LoadReport & StoreEvents

/** What a pod answers to a command. */
export interface PodReply {
  id: number
  token?: string
  refreshToken?: string
  error?: string
  ready?: boolean
  started?: boolean
  report?: PodReport
}

/** What a pod ends on after a command. */
export interface PodToken {
  accessToken: string
  refreshToken: string | undefined
}

/** A command for {@link Pod.run}; see `worker.ts`. */
export interface PodCommand {
  op: 'get' | 'refresh' | 'reject'
  /** For `reject`: the earlier access token a server rejected. */
  token?: string
}

/** One forked pod (`worker.ts`), driven over IPC. */
export class Pod {
  readonly #child: ChildProcess
  readonly #pending = new Map<number, (reply: PodReply) => void>()
  #next = 1
  readonly ready: Promise<void>

  /** `args`: token endpoint, Redis URL, key prefix, lease (s), pod number, then the worker's options. */
  constructor(args: readonly string[], options: PodOptions = {}) {
    this.#child = fork(worker, [...args, JSON.stringify(options)], {
      execArgv: ['--conditions=@tokenwarden/source'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('error', reject)
      this.#child.once('exit', (code) => reject(new Error(`the pod exited with code ${code} before it was ready`)))
      this.#pending.set(0, () => resolve())
    })
    this.#child.on('message', (reply: PodReply) => {
      const settle = this.#pending.get(reply.id)
      this.#pending.delete(reply.id)
      settle?.(reply)
    })
  }

  /**
   * Runs `command` in the pod. `started` resolves once the pod's manager call has begun (its
   * acquisition, if any, knows which token it replaces); `done` with the token it ends on.
   */
  run(command: PodCommand): { started: Promise<void>; done: Promise<PodToken> } {
    const id = this.#next++
    let started!: () => void
    const startedPromise = new Promise<void>((resolve) => (started = resolve))
    const done = new Promise<PodToken>((resolve, reject) => {
      const onResult = (reply: PodReply): void => {
        started()
        if (reply.token === undefined) reject(new Error(reply.error))
        else resolve({ accessToken: reply.token, refreshToken: reply.refreshToken })
      }
      this.#pending.set(id, (reply) => {
        if (reply.started !== true) return onResult(reply)
        started()
        this.#pending.set(id, onResult)
      })
      this.#child.send({ id, ...command, ack: true })
    })
    return { started: startedPromise, done }
  }

  /** Starts requests to an API on the pod's token, until the pod closes (see `load.ts`). */
  async load(options: LoadOptions): Promise<void> {
    await this.#ask({ op: 'load', load: options })
  }

  /** The load's report and the store's events so far. */
  async report(): Promise<PodReport> {
    const reply = await this.#ask({ op: 'report' })
    if (reply.report === undefined) throw new Error(reply.error ?? 'the pod sent no report')
    return reply.report
  }

  /** Kills the pod at once, as a crash would; its pending commands fail with 'killed'. */
  kill(): void {
    this.#child.kill('SIGKILL')
    for (const settle of this.#pending.values()) settle({ id: -1, error: 'killed' })
    this.#pending.clear()
  }

  #ask(command: { op: 'load' | 'report'; load?: LoadOptions }): Promise<PodReply> {
    const id = this.#next++
    return new Promise((resolve) => {
      this.#pending.set(id, resolve)
      this.#child.send({ id, ...command })
    })
  }

  /** Closes the pod's manager and store (and its load); kills the pod if it has not exited 5 s later. */
  async close(): Promise<void> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return
    const exited = new Promise((resolve) => this.#child.once('exit', resolve))
    this.#child.send({ id: this.#next++, op: 'close' })
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000)
    timer.unref()
    await exited
    clearTimeout(timer)
  }
}
