import type { Duplex } from 'node:stream'
import {
  type RequestAuth,
  type Token,
  type WaitBounds,
  bufferBody,
  isReplayableBody,
  retryTokenWithin,
  tokenWithin,
} from '@tokenwarden/core'
import { type Dispatcher, errors } from 'undici'
import { AttemptController } from './attempt-controller.ts'
import { setAuthorization } from './headers.ts'

type Controller = Dispatcher.DispatchController
type Handler = Dispatcher.DispatchHandler & { onBodySent?(chunk: Buffer): void; onRequestSent?(): void }
type Headers = Parameters<NonNullable<Handler['onResponseStart']>>[2]

/** A dispatch function, as an interceptor receives it. */
export type Dispatch = Dispatcher['dispatch']

function isStream(body: unknown): body is AsyncIterable<Uint8Array> {
  return typeof (body as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function'
}

/**
 * One request that carries a token. Rules:
 * - downstream sees one `onRequestStart` and one response, whatever number of attempts it takes;
 * - a response for which `retryToken` gives a new token is swallowed: its body is drained and
 *   nothing of it goes downstream; the request is then dispatched once more with that token, on
 *   the next turn of the event loop (`setImmediate`), so the first socket goes back to the pool;
 * - failures (token acquisition, an abort while waiting) reach downstream through `onResponseError`;
 * - a wait for a token ends with the request's signal, or after its `headersTimeout` (else the
 *   interceptor's) with undici's own `HeadersTimeoutError`;
 * - it is itself the controller downstream is given ({@link AttemptController}): one object a request.
 */
export class AuthHandler extends AttemptController implements Handler {
  readonly #auth: RequestAuth
  readonly #dispatch: Dispatch
  readonly #handler: Handler
  readonly #headersTimeout: number
  #opts: Dispatcher.DispatchOptions
  #token: Token | undefined
  #retried = false
  /** Set while a response is being swallowed; called once its body is drained. */
  #drained: (() => void) | undefined
  #done = false

  /** `headersTimeout`: the wait's limit, in ms, when `opts` gives none (0: none). */
  constructor(auth: RequestAuth, dispatch: Dispatch, opts: Dispatcher.DispatchOptions, handler: Handler, headersTimeout: number) {
    super()
    this.#auth = auth
    this.#headersTimeout = headersTimeout
    this.#dispatch = dispatch
    this.#opts = opts
    this.#handler = handler
  }

  /** Sends the first attempt: synchronously when the token is cached, else once it (and a buffered body) is ready. */
  start(): boolean {
    const { body } = this.#opts
    const ready =
      this.#auth.maxReplayBytes === 0 || !isStream(body)
        ? (this.#auth.manager().current() ?? tokenWithin(this.#auth, this.#bounds()))
        : bufferBody(body, this.#auth.maxReplayBytes).then((buffered) => {
            this.#opts = { ...this.#opts, body: buffered.body as Dispatcher.DispatchOptions['body'] }
            return tokenWithin(this.#auth, this.#bounds())
          })
    if (!(ready instanceof Promise)) return this.#send(ready)
    ready.then((token) => this.#resend(token), (error: unknown) => this.#fail(error))
    return true
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.follow(controller)
    if (!this.#retried) this.#handler.onRequestStart?.(this, context)
  }

  onRequestUpgrade(_controller: Controller, statusCode: number, headers: Headers, socket: Duplex): void {
    this.#handler.onRequestUpgrade?.(this, statusCode, headers, socket)
  }

  onResponseStart(_controller: Controller, statusCode: number, headers: Headers, statusMessage?: string): void {
    if (this.#auth.mayRetry(statusCode)) {
      const response = { status: statusCode, wwwAuthenticate: headers['www-authenticate'] }
      const context = { replayable: isReplayableBody(this.#opts.body), retried: this.#retried }
      const next = retryTokenWithin(this.#auth, response, this.#token as Token, context, this.#bounds())
      if (next !== undefined) {
        this.#retried = true
        const drained = new Promise<void>((resolve) => (this.#drained = resolve))
        Promise.all([next, drained]).then(
          ([token]) => setImmediate(() => this.#resend(token)),
          (error: unknown) => this.#fail(error),
        )
        return
      }
    }
    this.#handler.onResponseStart?.(this, statusCode, headers, statusMessage)
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    if (this.#drained === undefined) this.#handler.onResponseData?.(this, chunk)
  }

  onResponseEnd(_controller: Controller, trailers: Headers): void {
    if (this.#drained !== undefined) return this.#drain()
    this.#done = true
    this.#handler.onResponseEnd?.(this, trailers)
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.#drained !== undefined && !this.aborted) return this.#drain()
    this.#fail(error)
  }

  onResponseStarted(): void {
    this.#handler.onResponseStarted?.()
  }

  onBodySent(chunk: Buffer): void {
    this.#handler.onBodySent?.(chunk)
  }

  onRequestSent(): void {
    this.#handler.onRequestSent?.()
  }

  protected override onAttemptsAborted(reason: Error): void {
    this.#fail(reason)
  }

  /** The caller's signal and `headersTimeout`, which end its own wait for a token. */
  #bounds(): WaitBounds {
    const { signal, headersTimeout } = this.#opts as { signal?: unknown; headersTimeout?: number | null }
    return {
      signal: signal instanceof AbortSignal ? signal : undefined,
      timeoutMs: headersTimeout ?? this.#headersTimeout,
      timedOut: () => new errors.HeadersTimeoutError(),
    }
  }

  #send(token: Token): boolean {
    this.#token = token
    return this.#dispatch({ ...this.#opts, headers: setAuthorization(this.#opts.headers, token.authorization) }, this)
  }

  /** Sends from a callback: unless the request has already ended, and reporting a throw downstream. */
  #resend(token: Token): void {
    if (this.#done) return
    try {
      this.#send(token)
    } catch (error) {
      this.#fail(error)
    }
  }

  #drain(): void {
    const drained = this.#drained
    this.#drained = undefined
    drained?.()
  }

  #fail(error: unknown): void {
    if (this.#done) return
    this.#done = true
    this.#handler.onResponseError?.(this, error as Error)
  }
}
